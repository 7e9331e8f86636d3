//! The CSV dialect's characters as a user names them (`--delimiter`, `--decimal`, and the
//! Python package's keywords of the same names): one reading for every front end.

/// The names `--delimiter` takes besides a single character.
const DELIMITER_NAMES: [(&str, u8); 5] = [
    ("comma", b','),
    ("semicolon", b';'),
    ("tab", b'\t'),
    ("pipe", b'|'),
    ("space", b' '),
];

/// A CSV field delimiter: `comma`, `semicolon`, `tab`, `pipe`, `space`, or one ASCII character
/// that cannot be part of a number or a quoted field (not a letter, digit, `.`, `+`, `-`, `"`
/// or a line break).
pub fn delimiter(text: &str) -> Result<u8, String> {
    if let Some(&(_, b)) = DELIMITER_NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(text.trim()))
    {
        return Ok(b);
    }
    match text.as_bytes() {
        [b] if b.is_ascii()
            && !b.is_ascii_alphanumeric()
            && !b".+-\"\r\n".contains(b)
            && (b.is_ascii_graphic() || *b == b'\t' || *b == b' ') =>
        {
            Ok(*b)
        }
        _ => Err(
            "expected comma, semicolon, tab, pipe, space, or one ASCII character that is not a letter, digit, '.', '+', '-', '\"' or a line break"
                .into(),
        ),
    }
}

/// A decimal separator: `.` or `,` (also the names `point` and `comma`).
pub fn decimal(text: &str) -> Result<u8, String> {
    match text.trim() {
        "." => Ok(b'.'),
        "," => Ok(b','),
        t if t.eq_ignore_ascii_case("point") => Ok(b'.'),
        t if t.eq_ignore_ascii_case("comma") => Ok(b','),
        _ => Err("expected '.' or ',' (or point, comma)".into()),
    }
}
