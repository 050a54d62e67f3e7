//! A sheet's bytes before they are read as a table: how much may be read, which
//! encoding the text is in, which separator it uses, and whether every quote closes.
//! Each check refuses the whole file and names a line, rather than guess and lose rows.

use super::import::{Encoding, ImportError};
use crate::text;
use std::io::Read;
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

/// The largest file an import reads: a ward's 10,000-row sheet is a few MB.
pub const MAX_FILE_MB: u64 = 20;
const MAX_FILE_BYTES: u64 = MAX_FILE_MB * 1024 * 1024;

/// The most characters one cell may hold: the longest field (a note) is far shorter.
pub const MAX_CELL_CHARS: usize = 5_000;

/// Reads at most `MAX_FILE_BYTES` (and one more, to know there was more): `/dev/zero`
/// or a runaway file must not fill the memory of a 2 GB laptop.
pub fn read_capped(path: &Path) -> Result<Vec<u8>, ImportError> {
    let file = std::fs::File::open(path).map_err(|e| ImportError::Unreadable(e.to_string()))?;
    let too_large = ImportError::TooLarge {
        limit_mb: MAX_FILE_MB,
    };
    if file.metadata().is_ok_and(|m| m.len() > MAX_FILE_BYTES) {
        return Err(too_large);
    }
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ImportError::Unreadable(e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large);
    }
    Ok(bytes)
}

/// Turns the file's bytes into NFC text (1258 writes tone marks as separate characters).
/// UTF-8 (a byte-order mark is dropped) when the bytes are UTF-8; Windows-1258 when asked,
/// or when the file as a whole reads as Vietnamese in it. Anything else is refused at
/// its first line that fits neither: one stray byte must not turn every name to mojibake.
pub fn decode(bytes: &[u8], encoding: Option<Encoding>) -> Result<(String, Encoding), ImportError> {
    if is_workbook(bytes) {
        return Err(ImportError::DamagedWorkbook("not CSV".into()));
    }
    if looks_like_utf16(bytes) {
        return Err(ImportError::Utf16);
    }
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    match (std::str::from_utf8(bytes), encoding) {
        // Vietnamese in UTF-8, read as 1258, is mojibake in every name: not what was
        // meant. (A 1258 file that happens to be valid UTF-8 reads as odd letters.)
        (Ok(s), Some(Encoding::Windows1258))
            if !s.is_ascii() && first_line_not_vietnamese(&text::nfc(s)).is_none() =>
        {
            Err(ImportError::IsUtf8)
        }
        (_, Some(Encoding::Windows1258)) => Ok((from_1258(bytes), Encoding::Windows1258)),
        (Ok(s), _) => Ok((text::nfc(s), Encoding::Utf8)),
        (Err(e), Some(Encoding::Utf8)) => Err(bad_encoding_at(bytes, e.valid_up_to())),
        // Real UTF-8 text around a bad byte: a damaged UTF-8 file, not an old Excel one.
        (Err(e), None) if has_utf8_letters(bytes) => Err(bad_encoding_at(bytes, e.valid_up_to())),
        (Err(_), None) => {
            let content = from_1258(bytes);
            match first_line_not_vietnamese(&content) {
                None => Ok((content, Encoding::Windows1258)),
                Some(line) => Err(ImportError::BadEncoding { line }),
            }
        }
    }
}

fn from_1258(bytes: &[u8]) -> String {
    let (s, _, _) = encoding_rs::WINDOWS_1258.decode(bytes);
    text::nfc(&s)
}

/// An Excel workbook itself (.xlsx is a zip file, .xls an OLE one), not a CSV file.
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0])
}

/// Excel's "Unicode text" is UTF-16: a byte-order mark, or a zero byte beside most
/// letters of the first line, always on the same side.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let head = &bytes[..bytes.len().min(200)];
    let zeros_at = |parity: usize| {
        head.iter()
            .enumerate()
            .filter(|(i, b)| i % 2 == parity && **b == 0)
            .count()
    };
    let (even, odd) = (zeros_at(0), zeros_at(1));
    head.len() >= 4 && even.max(odd) * 3 >= head.len() && even.min(odd) * 4 < even.max(odd)
}

/// Whether the bytes hold at least one valid UTF-8 character beyond ASCII.
fn has_utf8_letters(bytes: &[u8]) -> bool {
    bytes.utf8_chunks().any(|chunk| !chunk.valid().is_ascii())
}

fn bad_encoding_at(bytes: &[u8], offset: usize) -> ImportError {
    let line = 1 + bytes[..offset].iter().filter(|b| **b == b'\n').count();
    ImportError::BadEncoding { line }
}

/// The first line holding a letter that is not Vietnamese (or Latin), or a control
/// character: what a file in another encoding looks like when read as Windows-1258.
fn first_line_not_vietnamese(content: &str) -> Option<usize> {
    content
        .split('\n')
        .position(|line| line.chars().any(|c| !fits_vietnamese(c)))
        .map(|n| n + 1)
}

fn fits_vietnamese(c: char) -> bool {
    if c.is_ascii() {
        return !c.is_ascii_control() || matches!(c, '\t' | '\r' | '\n');
    }
    if c.is_control() {
        return false;
    }
    if !c.is_alphabetic() {
        // Punctuation and symbols of 1258 (“ ” – … °) are fine; a lone mark is not.
        return !unicode_normalization::char::is_combining_mark(c);
    }
    let mut parts = std::iter::once(c).nfd();
    let base_ok = parts
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == 'đ' || b == 'Đ');
    base_ok
        && parts.all(|m| {
            matches!(
                m,
                '\u{0300}'
                    | '\u{0301}'
                    | '\u{0303}'
                    | '\u{0309}'
                    | '\u{0323}'
                    | '\u{0302}'
                    | '\u{0306}'
                    | '\u{031B}'
            )
        })
}

/// The field separator, from the header line: comma; semicolon, as Excel writes "CSV"
/// under Vietnamese regional settings; or tab, as in "Text (Tab delimited)".
pub fn delimiter(content: &str) -> u8 {
    let header = content.lines().next().unwrap_or("");
    let count = |c: char| header.matches(c).count();
    let (commas, semicolons, tabs) = (count(','), count(';'), count('\t'));
    if tabs > commas && tabs > semicolons {
        b'\t'
    } else if semicolons > commas {
        b';'
    } else {
        b','
    }
}

/// Every quote that opens a cell closes, and no cell is longer than `MAX_CELL_CHARS`.
/// The quoting is the csv reader's (RFC 4180): a quote opens a cell only as its first
/// character, and `""` inside a quoted cell is one quote.
pub fn check_cells(content: &str, delimiter: u8) -> Result<(), ImportError> {
    let delimiter = char::from(delimiter);
    let mut line = 1;
    let mut cell_line = 1;
    let mut cell_chars = 0usize;
    let mut at_start = true;
    let mut quoted = false;
    let mut overlong = None;
    let mut chars = content.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted && c == '"' {
            if chars.peek() == Some(&'"') {
                chars.next();
            } else {
                quoted = false;
            }
        } else if !quoted && (c == delimiter || c == '\n') {
            at_start = true;
            cell_chars = 0;
        } else if at_start {
            at_start = false;
            cell_line = line;
            quoted = c == '"';
        }
        if c == '\n' {
            line += 1;
        }
        if !at_start {
            cell_chars += 1;
            if cell_chars > MAX_CELL_CHARS && !quoted {
                return Err(too_long(cell_line));
            }
            // A quoted cell that grows too long is read on (the text is in memory
            // already): a quote never closed is the better thing to tell.
            if cell_chars > MAX_CELL_CHARS {
                overlong.get_or_insert(cell_line);
            }
        }
    }
    if quoted {
        return Err(ImportError::UnclosedQuote { line: cell_line });
    }
    overlong.map_or(Ok(()), |line| Err(too_long(line)))
}

fn too_long(line: usize) -> ImportError {
    ImportError::CellTooLong {
        line,
        limit: MAX_CELL_CHARS,
    }
}

/// A quoted cell that runs over several lines where one line belongs, or that holds
/// lines shaped like rows of this sheet: both are a quote left open, and the rows it
/// took in would be lost without a word. `line` is where the record starts.
pub fn cell_shape(
    record: &csv::StringRecord,
    header: &csv::StringRecord,
    multi_line: &[bool],
    line: usize,
    delimiter: u8,
) -> Result<(), ImportError> {
    let separators_in_a_row = multi_line.len().saturating_sub(1).max(1);
    let looks_like_a_row =
        |l: &str| l.bytes().filter(|b| *b == delimiter).count() >= separators_in_a_row;
    let mut cell_line = line;
    for (n, cell) in record.iter().enumerate() {
        let breaks = cell.matches('\n').count();
        if breaks == 0 {
            continue;
        }
        let until = cell_line + breaks;
        let column = header
            .get(n)
            .and_then(|h| h.lines().next())
            .map_or_else(|| (n + 1).to_string(), |h| h.trim().to_string());
        if !multi_line.get(n).copied().unwrap_or(false) {
            return Err(ImportError::CellSpansLines {
                line: cell_line,
                until,
                column,
            });
        }
        if cell.split('\n').skip(1).any(looks_like_a_row) {
            return Err(ImportError::CellSwallowsRows {
                line: cell_line,
                until,
                column,
            });
        }
        cell_line = until;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_stray_byte_in_a_utf8_file_is_refused_at_its_line() {
        let mut bytes = "Họ và tên,Giới tính\nNguyễn Thị Hoa,Nữ\nLò Thị "
            .as_bytes()
            .to_vec();
        bytes.extend([0xFF]);
        bytes.extend("Mỷ,Nữ\n".as_bytes());
        assert_eq!(
            decode(&bytes, None),
            Err(ImportError::BadEncoding { line: 3 })
        );
    }

    #[test]
    fn a_file_that_is_not_utf8_is_read_as_1258_only_when_every_letter_is_vietnamese() {
        let mut vietnamese = b"Full name\nNguy".to_vec();
        vietnamese.extend([0xEA, 0xDE]);
        vietnamese.extend(b"n\n");
        let (text, used) = decode(&vietnamese, None).expect("1258");
        assert_eq!(
            (text.as_str(), used),
            ("Full name\nNguyễn\n", Encoding::Windows1258)
        );
        // 0xFF is ÿ in 1258: no Vietnamese word has it.
        assert_eq!(
            decode(b"Full name\nAnna\nJos\xFF\n", None),
            Err(ImportError::BadEncoding { line: 3 })
        );
    }

    #[test]
    fn utf8_asked_for_is_never_read_as_something_else() {
        assert_eq!(
            decode(b"a\n\xC3(\n", Some(Encoding::Utf8)),
            Err(ImportError::BadEncoding { line: 2 })
        );
    }

    #[test]
    fn utf16_from_excel_unicode_text_is_recognised() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "Họ và tên\tGiới tính\r\n".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        assert_eq!(decode(&bytes, None), Err(ImportError::Utf16));
        assert_eq!(decode(&bytes[2..], None), Err(ImportError::Utf16));
    }

    #[test]
    fn a_workbook_is_told_from_a_csv_file_and_utf8_is_not_read_as_1258() {
        assert!(is_workbook(b"PK\x03\x04\x14\0\x06\0"));
        assert!(is_workbook(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1]));
        assert!(!is_workbook(b"PK,name\n"));
        assert_eq!(
            decode("Họ và tên\n".as_bytes(), Some(Encoding::Windows1258)),
            Err(ImportError::IsUtf8)
        );
        assert!(decode(b"Full name\n", Some(Encoding::Windows1258)).is_ok());
    }

    #[test]
    fn tabs_commas_and_semicolons_are_told_apart_by_the_header() {
        assert_eq!(delimiter("Tên\tGiới tính\tNăm sinh\n"), b'\t');
        assert_eq!(delimiter("Tên;Giới tính;Năm, sinh\n"), b';');
        assert_eq!(delimiter("Tên,Giới tính\n"), b',');
    }

    #[test]
    fn a_quote_that_never_closes_is_named_by_the_line_it_opens_on() {
        let text = "a,b,c\n1,2,3\n4,\"5,6\n7,8,9\n10,11,12\n";
        assert_eq!(
            check_cells(text, b','),
            Err(ImportError::UnclosedQuote { line: 3 })
        );
        assert_eq!(
            check_cells("a,b\n\"x\"\"y\",\"two\nlines\"\n", b','),
            Ok(())
        );
        assert_eq!(
            check_cells("a,b\nx\"y,z\n", b','),
            Ok(()),
            "a quote inside a cell is a letter"
        );
    }

    #[test]
    fn a_cell_longer_than_the_cap_is_refused_before_it_is_read_as_a_record() {
        let text = format!("a,b\n1,2\n3,{}\n", "x".repeat(MAX_CELL_CHARS + 1));
        assert_eq!(
            check_cells(&text, b','),
            Err(ImportError::CellTooLong {
                line: 3,
                limit: MAX_CELL_CHARS
            })
        );
    }

    #[test]
    fn reading_an_endless_file_stops_at_the_cap() {
        #[cfg(unix)]
        assert_eq!(
            read_capped(Path::new("/dev/zero")),
            Err(ImportError::TooLarge {
                limit_mb: MAX_FILE_MB
            })
        );
    }
}
