//! `[provider/]model` as a person writes it, split into the provider and the model id.

use super::Provider;
use crate::catalog::Catalog;

/// Split `[provider/]model`. The part before the first `/` is a provider only when it names
/// one; otherwise the whole string is the model id (OpenRouter ids contain slashes). A bare
/// id the catalog knows selects the catalog's provider, unless a base URL was given; any
/// other bare id goes to `fallback_provider`.
pub fn parse_model_spec(
    spec: &str,
    providers: &[Provider],
    catalog: &Catalog,
    fallback_provider: &str,
    base_url_given: bool,
) -> Result<(String, String), String> {
    let spec = spec.trim();
    if let Some((prefix, rest)) = spec.split_once('/')
        && providers.iter().any(|p| p.name == prefix)
    {
        if rest.is_empty() {
            return Err(format!(
                "model `{spec}` names provider `{prefix}` but no model after the `/`"
            ));
        }
        return Ok((prefix.to_string(), rest.to_string()));
    }
    if spec.is_empty() {
        return Err("the model name is empty".to_string());
    }
    let provider = match catalog.find_model(spec) {
        Some(info) if !base_url_given => info.provider.clone(),
        _ => fallback_provider.to_string(),
    };
    Ok((provider, spec.to_string()))
}
