//! Text as it enters the program: NFC normalisation, the one search fold, and
//! Vietnamese collation. Every string from keys, paste, CSV or demo data passes
//! through `clean` so that one char is one grapheme is one column.

use std::cmp::Ordering;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// NFC-normalises text and trims it, collapsing runs of spaces to one space. A tab or
/// line break inside is not a space to collapse: it stays, for validation to refuse
/// beside its field (`has_control`) rather than change the text without a word.
pub fn clean(input: &str) -> String {
    let nfc: String = input.nfc().collect();
    nfc.trim()
        .split(|c: char| c.is_whitespace() && !c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether one-line text holds a control character: NUL, ESC, tab, line break... They
/// would reach CSV files and terminals raw (ESC starts a terminal command).
pub fn has_control(text: &str) -> bool {
    text.chars().any(char::is_control)
}

/// The same for a note, whose tabs and line breaks are its own.
pub fn note_has_control(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// NFC-normalises without touching whitespace (for multi-line notes).
pub fn nfc(input: &str) -> String {
    input.nfc().collect()
}

/// The search and duplicate-detection fold: marks removed, `đ` -> `d`, lowercase,
/// whitespace collapsed. "Nguyễn Thị Hoa" and "nguyen  thi hoa" fold alike.
pub fn fold(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut last_space = true;
    for c in input.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        last_space = false;
        match c {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// True when every word of `query` (already folded) occurs in `folded_text`.
/// Word order does not matter: "hoa nguyen" finds "Nguyễn Thị Hoa".
pub fn matches_folded(folded_text: &str, folded_query: &str) -> bool {
    folded_query
        .split(' ')
        .filter(|w| !w.is_empty())
        .all(|w| folded_text.contains(w))
}

/// Vietnamese alphabet order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
/// Tones only break ties, in the order ngang, huyền, hỏi, ngã, sắc, nặng.
pub fn collate(a: &str, b: &str) -> Ordering {
    let (ka, kb) = (collation_key(a), collation_key(b));
    ka.cmp(&kb)
}

/// A key whose byte order is the Vietnamese dictionary order of `text`.
/// Primary letters first, then tones, so tones only decide between otherwise equal words.
pub fn collation_key(text: &str) -> Vec<u32> {
    let mut primary = Vec::with_capacity(text.len());
    let mut tones = Vec::with_capacity(text.len());
    let lower = text.to_lowercase();
    for ch in lower.chars() {
        let mut letter: Option<u32> = None;
        let mut tone = 0u32;
        for part in std::iter::once(ch).flat_map(|c| c.to_string().nfd().collect::<Vec<_>>()) {
            match part {
                '\u{0300}' => tone = 1, // huyền
                '\u{0309}' => tone = 2, // hỏi
                '\u{0303}' => tone = 3, // ngã
                '\u{0301}' => tone = 4, // sắc
                '\u{0323}' => tone = 5, // nặng
                '\u{0306}' | '\u{0302}' | '\u{031B}' => {
                    // breve, circumflex, horn: these make new letters (ă â ê ô ơ ư)
                    if let Some(l) = letter.as_mut() {
                        *l += if part == '\u{0302}' { 2 } else { 1 };
                    }
                }
                c if is_combining_mark(c) => {}
                'đ' => letter = Some(letter_rank('d') + 1),
                c => letter = Some(letter_rank(c)),
            }
        }
        if let Some(l) = letter {
            primary.push(l);
            tones.push(tone);
        }
    }
    primary.push(0);
    primary.extend(tones);
    primary
}

/// Base letters spaced so that modified letters (ă, â, đ, ê, ô, ơ, ư) fit between.
fn letter_rank(c: char) -> u32 {
    if c.is_ascii_lowercase() {
        1000 + (c as u32 - 'a' as u32) * 4
    } else if c.is_ascii_digit() {
        100 + (c as u32 - '0' as u32)
    } else if c == ' ' {
        10
    } else {
        100_000 + c as u32
    }
}

/// The given name (the last word) comes first when Vietnamese lists are sorted by name.
pub fn name_sort_key(full_name: &str) -> Vec<u32> {
    let mut words: Vec<&str> = full_name.split_whitespace().collect();
    let given = words.pop().unwrap_or("");
    let mut key = collation_key(given);
    key.push(0);
    key.extend(collation_key(&words.join(" ")));
    key
}

/// Display width in terminal columns.
/// `text` broken between words into lines of at most `width` columns (a word wider
/// than a line stands alone on its own).
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    wrap_measured(text, width as f32, |s| self::width(s) as f32)
}

/// `wrap` with another measure of a line (a printed font's advance widths, say).
pub fn wrap_measured(text: &str, width: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && measure(&format!("{line} {word}")) > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_breaks_between_words_and_counts_columns_not_bytes() {
        let lines = wrap("Đã có phường/xã mang mã này: hãy chọn mã khác", 20);
        assert_eq!(
            lines,
            ["Đã có phường/xã mang", "mã này: hãy chọn mã", "khác"]
        );
        assert!(lines.iter().all(|l| width(l) <= 20));
        assert_eq!(wrap("", 10), Vec::<String>::new());
    }

    #[test]
    fn folding_removes_marks_and_maps_d_with_stroke() {
        assert_eq!(fold("Nguyễn Thị Hoa"), "nguyen thi hoa");
        assert_eq!(fold("Đặng  Văn Đức "), "dang van duc");
    }

    #[test]
    fn decomposed_and_composed_input_clean_to_the_same_text() {
        let decomposed = "Nguye\u{0302}\u{0303}n";
        assert_eq!(clean(decomposed), "Nguyễn");
        assert_eq!(fold(decomposed), fold("Nguyễn"));
    }

    #[test]
    fn a_search_without_diacritics_matches_in_any_word_order() {
        let name = fold("Nguyễn Thị Hoa");
        assert!(matches_folded(&name, &fold("hoa nguyen")));
        assert!(matches_folded(&name, &fold("thi h")));
        assert!(!matches_folded(&name, &fold("lan")));
    }

    #[test]
    fn collation_puts_modified_letters_after_their_base() {
        let mut words = vec!["đào", "dung", "ân", "anh", "ăn", "ba"];
        words.sort_by(|a, b| collate(a, b));
        assert_eq!(words, vec!["anh", "ăn", "ân", "ba", "dung", "đào"]);
    }

    #[test]
    fn tones_only_break_ties() {
        let mut words = vec!["má", "mà", "ma", "mạ", "mả", "mã", "mai"];
        words.sort_by(|a, b| collate(a, b));
        assert_eq!(words, vec!["ma", "mà", "mả", "mã", "má", "mạ", "mai"]);
    }

    #[test]
    fn names_sort_by_given_name_first() {
        let mut names = vec!["Trần Văn Bình", "Nguyễn Thị An", "Lê Thị Bình"];
        names.sort_by_key(|n| name_sort_key(n));
        assert_eq!(names, vec!["Nguyễn Thị An", "Lê Thị Bình", "Trần Văn Bình"]);
    }

    #[test]
    fn control_characters_are_kept_for_validation_to_refuse_never_dropped() {
        assert_eq!(clean("  Lò\u{0}Thị  Mỷ \n"), "Lò\u{0}Thị Mỷ");
        assert_eq!(clean("Lò\tThị"), "Lò\tThị");
        assert!(has_control("Lò\u{1b}[2JThị"));
        assert!(has_control("Lò\tThị"));
        assert!(!has_control("Nguyễn Thị Hoa"));
        assert!(!note_has_control("Hai con\n\tđang đi học"));
        assert!(note_has_control("Hai con\u{0}"));
    }

    #[test]
    fn width_counts_columns_not_bytes() {
        assert_eq!(width("Nguyễn"), 6);
        assert!("Nguyễn".len() > 6);
    }
}
