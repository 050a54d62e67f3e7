//! Handover records printed as PDF: one A4 page per record, in Vietnamese (or English),
//! with the items, the total in figures and in words, and the signature blocks. The
//! font (DejaVu Sans, shipped in `assets/fonts` under its licence) has every Vietnamese
//! letter and is embedded, subset to the letters used, so any PDF reader prints it as
//! it is — a Windows 10 laptop's browser included.

use super::handover::HandoverRecord;
use crate::domain::words::dong_in_words;
use crate::i18n::{Lang, t, tf};
use chrono::Datelike;
use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::Stroke;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

static REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// A4 in points, and the margins of the text.
const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const LEFT: f32 = 56.0;
const RIGHT: f32 = WIDTH - 48.0;
const BOTTOM: f32 = HEIGHT - 56.0;
const BODY: f32 = 11.0;
const LINE: f32 = 16.0;

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the font could not be read")]
    Font,
    #[error("the PDF could not be written: {0}")]
    Write(String),
}

/// A font with what is needed to measure text in it (krilla draws, ttf-parser measures).
struct Typeface {
    font: Font,
    face: ttf_parser::Face<'static>,
}

impl Typeface {
    fn load(data: &'static [u8]) -> Result<Typeface, PdfError> {
        Ok(Typeface {
            font: Font::new(data.into(), 0).ok_or(PdfError::Font)?,
            face: ttf_parser::Face::parse(data, 0).map_err(|_| PdfError::Font)?,
        })
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        let units: u32 = text
            .chars()
            .filter_map(|c| self.face.glyph_index(c))
            .filter_map(|g| self.face.glyph_hor_advance(g))
            .map(u32::from)
            .sum();
        units as f32 * size / f32::from(self.face.units_per_em())
    }

    /// `text` in lines no wider than `width` in this face (the one wrapping rule of
    /// `text::wrap`, measured in points).
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let lines = crate::text::wrap_measured(text, width, |line| self.width(line, size));
        if lines.is_empty() {
            vec![String::new()]
        } else {
            lines
        }
    }
}

/// Where a piece of text stands on its line.
#[derive(Clone, Copy)]
enum Align {
    Left(f32),
    Center(f32),
    Right(f32),
}

/// One page being drawn, top to bottom.
struct Sheet<'s, 'p> {
    surface: Surface<'p>,
    regular: &'s Typeface,
    bold: &'s Typeface,
}

impl Sheet<'_, '_> {
    fn text(&mut self, align: Align, y: f32, size: f32, bold: bool, text: &str) {
        let face = if bold { self.bold } else { self.regular };
        let x = match align {
            Align::Left(x) => x,
            Align::Center(x) => x - face.width(text, size) / 2.0,
            Align::Right(x) => x - face.width(text, size),
        };
        self.surface.draw_text(
            Point::from_xy(x, y),
            face.font.clone(),
            size,
            text,
            false,
            TextDirection::Auto,
        );
    }

    /// Wrapped text from `x` to the right margin; returns the y below it.
    fn paragraph(&mut self, x: f32, y: f32, bold: bool, text: &str) -> f32 {
        let face = if bold { self.bold } else { self.regular };
        let mut y = y;
        for line in face.wrap(text, BODY, RIGHT - x) {
            self.text(Align::Left(x), y, BODY, bold, &line);
            y += LINE;
        }
        y
    }

    fn rule(&mut self, x1: f32, y1: f32, x2: f32, y2: f32) {
        let mut path = PathBuilder::new();
        path.move_to(x1, y1);
        path.line_to(x2, y2);
        if let Some(path) = path.finish() {
            self.surface.set_fill(None);
            self.surface.set_stroke(Some(Stroke {
                width: 0.6,
                ..Stroke::default()
            }));
            self.surface.draw_path(&path);
            self.surface.set_stroke(None);
        }
    }
}

/// The columns of the items table: (left edge, heading key, alignment of the cells).
const COLUMNS: [(f32, &str, char); 6] = [
    (LEFT, "handover.col_no", 'c'),
    (LEFT + 28.0, "handover.col_item", 'l'),
    (LEFT + 218.0, "handover.col_unit", 'c'),
    (LEFT + 266.0, "handover.col_quantity", 'r'),
    (LEFT + 322.0, "handover.col_unit_value", 'r'),
    (LEFT + 407.0, "handover.col_total", 'r'),
];

fn column_right(i: usize) -> f32 {
    COLUMNS.get(i + 1).map_or(RIGHT, |c| c.0)
}

fn cell_align(i: usize) -> Align {
    let (left, right) = (COLUMNS[i].0, column_right(i));
    match COLUMNS[i].2 {
        'c' => Align::Center((left + right) / 2.0),
        'r' => Align::Right(right - 4.0),
        _ => Align::Left(left + 4.0),
    }
}

/// The PDF of these records, one page each.
pub fn handover_pdf(records: &[HandoverRecord], lang: Lang) -> Result<Vec<u8>, PdfError> {
    let regular = Typeface::load(REGULAR)?;
    let bold = Typeface::load(BOLD)?;
    let mut document = Document::new();
    let title = match records {
        [one] => tf(lang, "handover.pdf_title", &[("number", &one.number)]),
        _ => t(lang, "handover.title").to_string(),
    };
    document.set_metadata(
        Metadata::new()
            .title(title)
            .language(lang.code().to_string())
            .creator("sinhke".to_string()),
    );
    for record in records {
        let settings = PageSettings::from_wh(WIDTH, HEIGHT).ok_or(PdfError::Font)?;
        let mut page = document.start_page_with(settings);
        {
            let mut sheet = Sheet {
                surface: page.surface(),
                regular: &regular,
                bold: &bold,
            };
            draw_record(&mut sheet, record, lang);
            sheet.surface.finish();
        }
        page.finish();
    }
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}

fn draw_record(s: &mut Sheet, r: &HandoverRecord, lang: Lang) {
    // The heading every Vietnamese administrative document carries.
    let (left_c, right_c) = (LEFT + 95.0, RIGHT - 120.0);
    let authority = tf(lang, "handover.authority", &[("ward", &r.ward.name)]).to_uppercase();
    s.text(Align::Center(left_c), 64.0, 10.0, true, &authority);
    let place = [r.ward.district.as_str(), r.ward.province.as_str()]
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    s.text(Align::Center(left_c), 78.0, 9.0, false, &place);
    s.text(
        Align::Center(right_c),
        64.0,
        10.0,
        true,
        t(lang, "handover.republic"),
    );
    let motto = t(lang, "handover.motto");
    s.text(Align::Center(right_c), 78.0, 10.0, true, motto);
    let half = s.bold.width(motto, 10.0) / 2.0;
    s.rule(right_c - half, 82.0, right_c + half, 82.0);

    let centre = WIDTH / 2.0;
    s.text(
        Align::Center(centre),
        124.0,
        15.0,
        true,
        t(lang, "handover.title"),
    );
    let number = if r.number.is_empty() {
        t(lang, "handover.no_number").to_string()
    } else {
        tf(lang, "handover.number", &[("number", &r.number)])
    };
    s.text(Align::Center(centre), 142.0, BODY, false, &number);
    s.text(
        Align::Center(centre),
        158.0,
        BODY,
        false,
        t(lang, "handover.programme"),
    );

    let d = r.date;
    let place_full = if place.is_empty() {
        r.ward.name.clone()
    } else {
        format!("{}, {place}", r.ward.name)
    };
    let mut y = 190.0;
    y = s.paragraph(
        LEFT,
        y,
        false,
        &tf(
            lang,
            "handover.opening",
            &[
                ("day", &d.day()),
                ("month", &d.month()),
                ("year", &d.year()),
                ("place", &place_full),
            ],
        ),
    );
    y = s.paragraph(
        LEFT,
        y + 4.0,
        false,
        &tf(
            lang,
            "handover.giver",
            &[("officer", &r.officer), ("ward", &r.ward.name)],
        ),
    );
    y = s.paragraph(
        LEFT,
        y,
        false,
        &tf(
            lang,
            "handover.receiver",
            &[
                ("name", &r.recipient),
                ("code", &r.code),
                ("year", &r.birth_year),
            ],
        ),
    );
    y = s.paragraph(LEFT, y + 4.0, false, t(lang, "handover.items_intro"));
    y = draw_items(s, r, lang, y + 4.0);
    let words = dong_in_words(r.total).unwrap_or_else(|| r.total.grouped());
    y = s.paragraph(
        LEFT,
        y + 8.0,
        false,
        &tf(lang, "handover.in_words", &[("words", &words)]),
    );
    if !r.suppliers.is_empty() {
        y = s.paragraph(
            LEFT,
            y,
            false,
            &tf(
                lang,
                "handover.supplier",
                &[("supplier", &r.suppliers.join(", "))],
            ),
        );
    }
    y = s.paragraph(LEFT, y + 4.0, false, t(lang, "handover.copies"));
    draw_signatures(s, r, lang, (y + 24.0).min(BOTTOM - 130.0));
}

/// The items table, ruled, with a total row; returns the y below it.
fn draw_items(s: &mut Sheet, r: &HandoverRecord, lang: Lang, top: f32) -> f32 {
    let size = 10.0;
    let mut y = top;
    s.rule(LEFT, y, RIGHT, y);
    // Headings wrap inside their columns ("Thành tiền" over "(đồng)").
    let headings: Vec<Vec<String>> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, (left, key, _))| s.bold.wrap(t(lang, key), 9.0, column_right(i) - left - 6.0))
        .collect();
    let rows = headings.iter().map(Vec::len).max().unwrap_or(1);
    for (i, lines) in headings.iter().enumerate() {
        for (k, line) in lines.iter().enumerate() {
            s.text(cell_align(i), y + 13.0 + k as f32 * 11.0, 9.0, true, line);
        }
    }
    y += 8.0 + 11.0 * rows as f32;
    s.rule(LEFT, y, RIGHT, y);
    let item_width = column_right(1) - COLUMNS[1].0 - 8.0;
    for (n, item) in r.items.iter().enumerate() {
        let lines = s.regular.wrap(&item.item, size, item_width);
        let cells = [
            (n + 1).to_string(),
            String::new(),
            item.unit.clone(),
            item.quantity.to_string(),
            item.unit_value.grouped(),
            item.total.grouped(),
        ];
        for (i, cell) in cells.iter().enumerate() {
            s.text(cell_align(i), y + 13.0, size, false, cell);
        }
        for (k, line) in lines.iter().enumerate() {
            s.text(cell_align(1), y + 13.0 + k as f32 * 13.0, size, false, line);
        }
        y += 6.0 + 13.0 * lines.len() as f32;
        s.rule(LEFT, y, RIGHT, y);
    }
    s.text(
        Align::Right(COLUMNS[5].0 - 4.0),
        y + 14.0,
        size,
        true,
        t(lang, "handover.total"),
    );
    s.text(cell_align(5), y + 14.0, size, true, &r.total.grouped());
    y += 20.0;
    s.rule(LEFT, y, RIGHT, y);
    for x in COLUMNS.iter().map(|c| c.0).chain([RIGHT]) {
        s.rule(x, top, x, y);
    }
    y + 8.0
}

fn draw_signatures(s: &mut Sheet, r: &HandoverRecord, lang: Lang, top: f32) {
    let blocks = [
        ("handover.sign_receiver", r.recipient.as_str()),
        ("handover.sign_officer", r.officer.as_str()),
        ("handover.sign_leader", ""),
    ];
    let span = (RIGHT - LEFT) / blocks.len() as f32;
    for (i, (key, name)) in blocks.iter().enumerate() {
        let x = LEFT + span * (i as f32 + 0.5);
        s.text(Align::Center(x), top, 10.0, true, t(lang, key));
        s.text(
            Align::Center(x),
            top + 14.0,
            9.0,
            false,
            t(lang, "handover.sign_hint"),
        );
        s.text(Align::Center(x), top + 90.0, 10.0, false, name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_wrapped_between_words_within_the_width() {
        let face = Typeface::load(REGULAR).expect("font");
        let text = "Máy ép nước mía loại lớn kèm bàn inox và ô che nắng";
        let lines = face.wrap(text, BODY, 120.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(
            lines
                .iter()
                .all(|l| face.width(l, BODY) <= 120.0 || !l.contains(' '))
        );
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn the_font_has_every_vietnamese_letter() {
        let face = Typeface::load(REGULAR).expect("font");
        let letters = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợ\
                       pqrstuùúủũụưừứửữựvxyỳýỷỹỵ";
        for c in letters.chars().chain(letters.to_uppercase().chars()) {
            assert!(face.face.glyph_index(c).is_some(), "no glyph for {c}");
        }
    }
}
