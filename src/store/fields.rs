//! The names of the fields that differ between two versions of a record, for the audit
//! trail: serde walks the struct's fields, each is encoded on its own and compared.
//! Nested structs (a visit, a consent) are compared one level down ("visit.notes").

use serde::Serialize;
use serde::ser::{self, Impossible, SerializeStruct};

/// Fields every save touches: not worth recording as changes.
const IGNORED: [&str; 1] = ["stamp"];

#[derive(Debug)]
struct NotAStruct;

impl std::fmt::Display for NotAStruct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a struct")
    }
}

impl std::error::Error for NotAStruct {}

impl ser::Error for NotAStruct {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NotAStruct
    }
}

/// One field: its name, its encoding, and its own fields if it is a struct.
type Field = (&'static str, Vec<u8>, Option<Vec<(&'static str, Vec<u8>)>>);

/// The fields of a struct value, or None for anything else.
fn split<T: Serialize + ?Sized>(value: &T) -> Option<Vec<Field>> {
    value.serialize(Splitter { nested: true }).ok()
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    super::codec::encode_body(&value)
}

/// The top-level fields of a struct, each encoded as bincode encodes it inside the
/// struct (bincode writes a struct as its fields one after another, nothing between).
fn top_fields<T: Serialize + ?Sized>(value: &T) -> Option<Vec<(&'static str, Vec<u8>)>> {
    value
        .serialize(Splitter { nested: false })
        .ok()
        .map(|fields| fields.into_iter().map(|(n, b, _)| (n, b)).collect())
}

/// The names of a record's fields, in declaration order.
pub fn field_names(record: &super::Change) -> Vec<&'static str> {
    let fields = match record {
        super::Change::Ward(r) => top_fields(r),
        super::Change::Person(r) => top_fields(r),
        super::Change::Plan(r) => top_fields(r),
        super::Change::Grant(r) => top_fields(r),
        super::Change::Milestone(r) => top_fields(r),
        super::Change::Referral(r) => top_fields(r),
    };
    fields.into_iter().flatten().map(|(name, _)| name).collect()
}

/// How the heads of a conflict changed one field since their common ancestor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    /// Which heads (by position) changed it.
    pub changed_by: Vec<usize>,
    /// Whether they changed it to different values: a person must choose.
    pub clash: bool,
}

/// The fields the heads changed since `ancestor` (the stamp aside).
pub fn changes_since<T: Serialize>(ancestor: &T, heads: &[&T]) -> Vec<FieldChange> {
    let Some(base) = top_fields(ancestor) else {
        return Vec::new();
    };
    let split: Vec<Vec<(&'static str, Vec<u8>)>> =
        heads.iter().filter_map(|h| top_fields(*h)).collect();
    let mut out = Vec::new();
    for (i, (name, before)) in base.iter().enumerate() {
        if IGNORED.contains(name) {
            continue;
        }
        let mut changed_by = Vec::new();
        let mut values: Vec<&Vec<u8>> = Vec::new();
        for (h, fields) in split.iter().enumerate() {
            let after = &fields[i].1;
            if after != before {
                changed_by.push(h);
                if !values.contains(&after) {
                    values.push(after);
                }
            }
        }
        if !changed_by.is_empty() {
            out.push(FieldChange {
                field: name,
                changed_by,
                clash: values.len() > 1,
            });
        }
    }
    out
}

/// One record with every head's changes since `ancestor`, when no two heads changed
/// a field differently; the stamp is `stamp_from`'s. None when a person must choose.
pub fn merge<T: Serialize + serde::de::DeserializeOwned>(
    ancestor: &T,
    heads: &[&T],
    stamp_from: &T,
) -> Option<T> {
    let base = top_fields(ancestor)?;
    let split: Vec<Vec<(&'static str, Vec<u8>)>> = heads
        .iter()
        .map(|h| top_fields(*h))
        .collect::<Option<_>>()?;
    let stamp = top_fields(stamp_from)?;
    let mut bytes = Vec::new();
    for (i, (name, before)) in base.iter().enumerate() {
        if IGNORED.contains(name) {
            bytes.extend_from_slice(&stamp[i].1);
            continue;
        }
        let mut chosen = before;
        for fields in &split {
            let after = &fields[i].1;
            if after != before {
                if chosen != before && chosen != after {
                    return None;
                }
                chosen = after;
            }
        }
        bytes.extend_from_slice(chosen);
    }
    super::codec::decode_body(&bytes).ok()
}

/// Field names that differ between `old` and `new`, in declaration order.
pub fn changed<T: Serialize>(old: &T, new: &T) -> Vec<String> {
    let (Some(a), Some(b)) = (split(old), split(new)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for ((name, bytes_a, sub_a), (_, bytes_b, sub_b)) in a.iter().zip(b.iter()) {
        if IGNORED.contains(name) || bytes_a == bytes_b {
            continue;
        }
        match (sub_a, sub_b) {
            (Some(sa), Some(sb)) => {
                for ((sub, x), (_, y)) in sa.iter().zip(sb.iter()) {
                    if x != y {
                        out.push(format!("{name}.{sub}"));
                    }
                }
            }
            _ => out.push(name.to_string()),
        }
    }
    out
}

struct Splitter {
    /// Whether fields that are structs are split too (one level only).
    nested: bool,
}

struct Fields {
    nested: bool,
    out: Vec<Field>,
}

impl SerializeStruct for Fields {
    type Ok = Vec<Field>;
    type Error = NotAStruct;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), NotAStruct> {
        let sub = if self.nested {
            value
                .serialize(Splitter { nested: false })
                .ok()
                .map(|fields| fields.into_iter().map(|(n, b, _)| (n, b)).collect())
        } else {
            None
        };
        self.out.push((key, encode(value), sub));
        Ok(())
    }

    fn end(self) -> Result<Vec<Field>, NotAStruct> {
        Ok(self.out)
    }
}

macro_rules! not_a_struct {
    ($($method:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Self::Ok, NotAStruct> { Err(NotAStruct) })*
    };
}

impl ser::Serializer for Splitter {
    type Ok = Vec<Field>;
    type Error = NotAStruct;
    type SerializeSeq = Impossible<Vec<Field>, NotAStruct>;
    type SerializeTuple = Impossible<Vec<Field>, NotAStruct>;
    type SerializeTupleStruct = Impossible<Vec<Field>, NotAStruct>;
    type SerializeTupleVariant = Impossible<Vec<Field>, NotAStruct>;
    type SerializeMap = Impossible<Vec<Field>, NotAStruct>;
    type SerializeStruct = Fields;
    type SerializeStructVariant = Impossible<Vec<Field>, NotAStruct>;

    not_a_struct!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<Vec<Field>, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<Vec<Field>, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Vec<Field>, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotAStruct> {
        Err(NotAStruct)
    }

    fn serialize_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, NotAStruct> {
        Ok(Fields {
            nested: self.nested,
            out: Vec::with_capacity(len),
        })
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotAStruct> {
        Err(NotAStruct)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::snapshot::tests::*;
    use crate::domain::{Dong, Stamp};

    #[test]
    fn only_the_names_of_changed_fields_are_listed_never_the_stamp() {
        let old = sample_person();
        let mut new = old.clone();
        new.phone = "0987 654 321".into();
        new.address = "Tổ 9".into();
        new.stamp = Stamp::new(99, "someone else");
        assert_eq!(changed(&old, &new), vec!["address", "phone"]);
    }

    #[test]
    fn a_change_inside_a_nested_struct_names_the_inner_field() {
        let old = sample_milestone();
        let mut new = old.clone();
        new.visit.monthly_income = Some(Dong(2_000_000));
        assert_eq!(changed(&old, &new), vec!["visit.monthly_income"]);
    }

    #[test]
    fn an_unchanged_record_has_no_changed_fields() {
        assert!(changed(&sample_grant(), &sample_grant()).is_empty());
    }
}
