use super::*;
use crate::attach::image::tests::png;

#[test]
fn text_and_images_are_told_apart_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits::default();
    let notes = dir.path().join("notes.md");
    std::fs::write(&notes, "# Notes\nsome ``` fence inside\n").unwrap();
    let a = Attachment::load(&notes, limits).unwrap();
    assert_eq!((a.name.as_str(), &a.kind), ("notes.md", &Kind::Text));
    assert_eq!(a.hash.len(), 64);
    let block = a.text_block().unwrap();
    assert!(block.starts_with("notes.md:\n````md\n# Notes\n"), "{block}");
    assert!(block.ends_with("inside\n````"), "{block}");
    assert!(a.image_input().is_none());

    let plot = dir.path().join("plot.png");
    std::fs::write(&plot, png(1024, 1024)).unwrap();
    let img = Attachment::load(&plot, limits).unwrap();
    assert!(img.is_image() && img.text_block().is_none());
    assert_eq!(img.estimated_tokens(image::Rule::OpenAi), 765);
    assert_eq!(img.label(), "plot.png 1024x1024 29 B");
    let input = img.image_input().unwrap();
    assert_eq!(input.mime, "image/png");
    assert!(
        input
            .data_url()
            .starts_with("data:image/png;base64,iVBORw0KGgo")
    );

    let missing = dir.path().join("nope.txt");
    assert!(matches!(
        Attachment::load(&missing, limits),
        Err(AttachError::Missing(_))
    ));
    assert!(matches!(
        Attachment::load(dir.path(), limits),
        Err(AttachError::Directory(_))
    ));
    let bin = dir.path().join("a.out");
    std::fs::write(&bin, [0x7f, b'E', b'L', b'F', 0, 1, 2]).unwrap();
    let err = Attachment::load(&bin, limits).unwrap_err().to_string();
    assert!(
        err.ends_with("a binary file that is not an image (PNG, JPEG, WebP or GIF)"),
        "{err}"
    );
    let broken = dir.path().join("cut.png");
    std::fs::write(&broken, &png(10, 10)[..12]).unwrap();
    assert!(matches!(
        Attachment::load(&broken, limits),
        Err(AttachError::BadImage(_))
    ));
}

#[test]
fn each_kind_has_its_own_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        image_bytes: 40,
        text_bytes: 10,
    };
    let text = dir.path().join("long.txt");
    std::fs::write(&text, "x".repeat(11)).unwrap();
    let err = Attachment::load(&text, limits).unwrap_err().to_string();
    assert!(
        err.contains("11 B is larger than the 10 B limit for text files"),
        "{err}"
    );
    // 29 bytes of image pass where 11 of text do not.
    let image = dir.path().join("p.png");
    std::fs::write(&image, png(2, 2)).unwrap();
    assert!(Attachment::load(&image, limits).is_ok());
    let mut big = png(2, 2);
    big.resize(41, 0);
    std::fs::write(&image, big).unwrap();
    let err = Attachment::load(&image, limits).unwrap_err().to_string();
    assert!(err.contains("limit for any file"), "{err}");
    assert_eq!(human_bytes(20 * 1024 * 1024), "20 MB");
    assert_eq!(human_bytes(2150), "2.1 KB");
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any bytes are refused or taken, never a panic; a taken text's block keeps it whole.
        #[test]
        fn any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(a) = Attachment::from_bytes("f.txt".into(), bytes.clone(), Limits::default())
                && let Some(text) = a.text()
            {
                prop_assert!(a.text_block().unwrap().contains(text));
            }
        }
    }
}

#[test]
fn mentions_are_file_like_words_after_an_at() {
    assert_eq!(
        mentions("compare @notes.md and @src/main.rs, then @notes.md again."),
        ["notes.md", "src/main.rs"]
    );
    assert_eq!(mentions("ask @alice or mail a@b.com"), Vec::<String>::new());
    assert_eq!(mentions("see @~/plots/a.png?"), ["~/plots/a.png"]);
    assert_eq!(mentions("(@./x)"), Vec::<String>::new());
    assert_eq!(mentions("@./x"), ["./x"]);
}
