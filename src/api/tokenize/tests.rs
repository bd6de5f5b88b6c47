use super::*;

#[test]
fn the_root_is_the_base_without_v1() {
    assert_eq!(
        root("http://127.0.0.1:8089/v1").as_deref(),
        Some("http://127.0.0.1:8089")
    );
    assert_eq!(
        root("http://127.0.0.1:8089/v1/").as_deref(),
        Some("http://127.0.0.1:8089")
    );
    assert_eq!(
        root("http://h:1/llama/v1").as_deref(),
        Some("http://h:1/llama")
    );
    assert_eq!(root("http://h:1").as_deref(), Some("http://h:1"));
    assert_eq!(root("http://h:1/api").as_deref(), Some("http://h:1/api"));
    assert_eq!(root("file:///tmp/v1"), None);
    assert_eq!(root("not a url"), None);
}

#[test]
fn the_system_instructions_come_first() {
    let texts = Texts {
        model: "m".into(),
        system: Some("Be brief.".into()),
        messages: vec![
            Message {
                role: Role::User,
                content: "hi".into(),
                images: Vec::new(),
            },
            Message {
                role: Role::Assistant,
                content: "hello".into(),
                images: Vec::new(),
            },
        ],
        reasoning: String::new(),
        output: vec![],
    };
    let got = messages(&texts);
    assert_eq!(
        got,
        vec![
            json!({"role": "system", "content": "Be brief."}),
            json!({"role": "user", "content": "hi"}),
            json!({"role": "assistant", "content": "hello"}),
        ]
    );
    let no_system = Texts {
        system: Some(String::new()),
        ..texts
    };
    assert_eq!(messages(&no_system).len(), 2);
}
