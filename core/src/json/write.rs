//! The JSON writer: compact JSON into a caller buffer, never panicking, counting the size a
//! too-small buffer would have needed.

use core::fmt::{self, Write as _};

use serde::ser::{self, Serialize};

use super::scan::find_string_special;
#[cfg(target_pointer_width = "64")]
use super::scan::{first_flagged, string_special, word_at};
use crate::bytes::{ByteWriter, put};
use crate::error::EncodeError;

/// Newtype-struct name that makes [`RawJson`](super::RawJson) splice its bytes verbatim.
pub(crate) const RAW_JSON_TOKEN: &str = "$janus_signal::private::RawJson";
/// Newtype-struct name that makes [`JsonStr`](super::JsonStr) write its escaped text verbatim.
pub(crate) const ESCAPED_STR_TOKEN: &str = "$janus_signal::private::JsonStr";

/// Compact JSON into a caller buffer: the JSON on top of the crate's byte cursor
/// ([`ByteWriter`]), which keeps counting past the end of the buffer so that the caller
/// learns the exact size needed. What it writes is valid JSON as long as the caller puts
/// members and values in a valid order ([`key`](Self::key) before a member's value).
#[derive(Debug)]
pub(crate) struct Writer<'b> {
    out: ByteWriter<'b>,
}

impl<'b> Writer<'b> {
    /// A writer at the start of `buf`.
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Self { out: ByteWriter::new(buf) }
    }

    /// Appends bytes that are already JSON (punctuation, literals, pre-encoded values).
    pub(crate) fn raw(&mut self, bytes: &[u8]) {
        self.out.bytes(bytes);
    }

    /// Appends one byte that is already JSON (`{`, `,`…).
    pub(crate) fn byte(&mut self, b: u8) {
        self.out.byte(b);
    }

    /// Bytes written so far (or that would have been).
    pub(crate) fn len(&self) -> usize {
        self.out.len()
    }

    /// Finishes: the number of bytes written, or how many would have been needed.
    pub(crate) fn finish(self) -> Result<usize, EncodeError> {
        self.out.finish()
    }

    /// Writes `text` as a JSON string, escaping `"`, `\` and control characters.
    pub(crate) fn string(&mut self, text: &str) {
        self.byte(b'"');
        self.escaped_body(text);
        self.byte(b'"');
    }

    fn escaped_body(&mut self, text: &str) {
        let bytes = text.as_bytes();
        // Where 64-bit words are native, whole words first; small targets keep only the
        // smaller run-by-run loop below (flash matters more there).
        #[cfg(target_pointer_width = "64")]
        let mut i = self.escaped_words(bytes);
        #[cfg(not(target_pointer_width = "64"))]
        let mut i = 0;
        // Plain runs copied whole, then the escape that ends them.
        loop {
            let at = find_string_special(bytes, i);
            self.out.bytes(bytes.get(i..at).unwrap_or_default());
            let Some(&b) = bytes.get(at) else {
                break;
            };
            let (buf, len) = self.out.parts_mut();
            *len = put_escape(buf, *len, b);
            i = at.saturating_add(1);
        }
    }

    /// The front of [`escaped_body`](Self::escaped_body) eight and sixteen bytes at a time;
    /// returns where fewer than eight bytes are left.
    #[cfg(target_pointer_width = "64")]
    fn escaped_words(&mut self, bytes: &[u8]) -> usize {
        let mut i = 0usize;
        // Local copies: stores into the buffer cannot then alias the writer's fields.
        let (buf, written) = self.out.parts_mut();
        let mut len = *written;
        // Eight bytes at a time: each word is stored whole while the next byte to escape is
        // looked for. Every input byte becomes at least one output byte, so the word's bytes
        // after that byte are always overwritten by what follows: nothing is left past the end.
        loop {
            // Sixteen plain bytes at a time, the common case inside an SDP line.
            while let (Some(src), Some(dst)) = (
                bytes.get(i..).and_then(|r| r.first_chunk::<16>()),
                buf.get_mut(len..).and_then(|r| r.first_chunk_mut::<16>()),
            ) {
                let (lo, hi) = src.split_at(8);
                let lo = u64::from_le_bytes(lo.try_into().unwrap_or([0; 8]));
                let hi = u64::from_le_bytes(hi.try_into().unwrap_or([0; 8]));
                if string_special(lo) | string_special(hi) != 0 {
                    break;
                }
                *dst = *src;
                // Both stay below the lengths of `bytes` and `buf`.
                i = i.wrapping_add(16);
                len = len.wrapping_add(16);
            }
            let Some(word) = word_at(bytes, i) else {
                break;
            };
            let mask = string_special(word);
            let plain = if mask == 0 { 8 } else { first_flagged(mask) };
            match buf.get_mut(len..len.saturating_add(8)) {
                Some(dst) => dst.copy_from_slice(&word.to_le_bytes()),
                None => put(buf, len, bytes.get(i..i.saturating_add(plain)).unwrap_or_default()),
            }
            len = len.saturating_add(plain);
            i = i.saturating_add(plain);
            if plain < 8 {
                // SDP lines end in CR LF: both escapes in one store.
                if bytes.get(i..i.saturating_add(2)) == Some(b"\r\n") {
                    put(buf, len, br"\r\n");
                    len = len.saturating_add(4);
                    i = i.saturating_add(2);
                } else if let Some(&b) = bytes.get(i) {
                    len = put_escape(buf, len, b);
                    i = i.saturating_add(1);
                }
            }
        }
        *written = len;
        i
    }

    /// Writes `n` as a JSON number.
    pub(crate) fn u64(&mut self, n: u64) {
        self.out.u64(n);
    }

    /// Writes `n` as a JSON number.
    pub(crate) fn i64(&mut self, n: i64) {
        self.out.i64(n);
    }

    fn f64(&mut self, f: f64) {
        if f.is_finite() {
            // `Debug` gives the shortest round-trip form and keeps a `.0` or an exponent,
            // all of which is valid JSON.
            let _ = write!(self, "{f:?}");
        } else {
            self.raw(b"null");
        }
    }

    /// Writes `"key":` after a comma if this is not the first member.
    pub(crate) fn key(&mut self, first: &mut bool, key: &str) {
        if !core::mem::take(first) {
            self.byte(b',');
        }
        self.string(key);
        self.byte(b':');
    }

    /// Writes any [`Serialize`] value as compact JSON (as [`to_slice`] does).
    pub(crate) fn value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), EncodeError> {
        value.serialize(ValueSerializer { w: self })
    }

    /// Writes the members of `fields` (a struct, a map, or a pre-encoded object such as a
    /// [`RawJson`](super::RawJson)) into an object that is already open, for Admin API
    /// parameters that live at the request's top level. `first` says whether no member has
    /// been written to that object yet, and is cleared if one was written now.
    ///
    /// # Errors
    ///
    /// [`EncodeError::FieldsNotAnObject`] if `fields` is not an object, or an error from its
    /// `Serialize` implementation.
    pub(crate) fn members<T: ?Sized + Serialize>(&mut self, fields: &T, first: &mut bool) -> Result<(), EncodeError> {
        // The splicing serializer cannot report back whether it wrote anything, so count.
        let len_before = self.len();
        fields.serialize(InlineMembers { w: self, first: *first })?;
        if self.len() != len_before {
            *first = false;
        }
        Ok(())
    }
}

impl fmt::Write for Writer<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.raw(s.as_bytes());
        Ok(())
    }
}

/// Writes the escape sequence of a byte that cannot appear as itself in a JSON string at `at`
/// (if it fits); returns the index after it.
fn put_escape(buf: &mut [u8], at: usize, b: u8) -> usize {
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x09 => b't',
        0x0a => b'n',
        0x0c => b'f',
        0x0d => b'r',
        _ => 0,
    };
    if short == 0 {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
        let lo = HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0');
        put(buf, at, &[b'\\', b'u', b'0', b'0', hi, lo]);
        at.saturating_add(6)
    } else {
        put(buf, at, &[b'\\', short]);
        at.saturating_add(2)
    }
}

/// Serialises any [`Serialize`] value as compact JSON into a [`Writer`].
///
/// Unlike `serde-json-core`'s serializer this one never panics: `char`s are written as
/// strings, and `Error::custom` from the caller's impl becomes
/// [`EncodeError::Serialize`].
#[derive(Debug)]
struct ValueSerializer<'w, 'b> {
    w: &'w mut Writer<'b>,
}

/// Splices the members of a struct or map (or a pre-encoded object) into an object that is
/// already open; used for Admin API parameters that live at the request's top level.
#[derive(Debug)]
struct InlineMembers<'w, 'b> {
    w: &'w mut Writer<'b>,
    /// Whether no member has been written to the open object yet.
    first: bool,
}

/// Open array or object being filled by serde.
#[derive(Debug)]
struct Compound<'w, 'b> {
    w: &'w mut Writer<'b>,
    first: bool,
    /// Closing bytes: `]`, `}` or `}}` for variants wrapped in an outer object.
    close: &'static [u8],
}

impl Compound<'_, '_> {
    fn comma(&mut self) {
        if !core::mem::take(&mut self.first) {
            self.w.byte(b',');
        }
    }

    fn value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), EncodeError> {
        value.serialize(ValueSerializer { w: self.w })
    }

    fn member_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), EncodeError> {
        self.comma();
        key.serialize(KeySerializer { w: self.w })?;
        self.w.byte(b':');
        Ok(())
    }

    fn end(self) -> Result<(), EncodeError> {
        self.w.raw(self.close);
        Ok(())
    }
}

impl<'w, 'b> ValueSerializer<'w, 'b> {
    fn open(self, open: &[u8], close: &'static [u8]) -> Compound<'w, 'b> {
        self.w.raw(open);
        Compound { w: self.w, first: true, close }
    }

    fn variant_open(self, variant: &str, open: u8, close: &'static [u8]) -> Compound<'w, 'b> {
        self.w.byte(b'{');
        self.w.string(variant);
        self.w.byte(b':');
        self.w.byte(open);
        Compound { w: self.w, first: true, close }
    }
}

impl<'w, 'b> ser::Serializer for ValueSerializer<'w, 'b> {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = Compound<'w, 'b>;
    type SerializeTuple = Compound<'w, 'b>;
    type SerializeTupleStruct = Compound<'w, 'b>;
    type SerializeTupleVariant = Compound<'w, 'b>;
    type SerializeMap = Compound<'w, 'b>;
    type SerializeStruct = Compound<'w, 'b>;
    type SerializeStructVariant = Compound<'w, 'b>;

    fn serialize_bool(self, v: bool) -> Result<(), EncodeError> {
        self.w.raw(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), EncodeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), EncodeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), EncodeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), EncodeError> {
        self.w.i64(v);
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<(), EncodeError> {
        let _ = write!(self.w, "{v}");
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), EncodeError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), EncodeError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), EncodeError> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), EncodeError> {
        self.w.u64(v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<(), EncodeError> {
        let _ = write!(self.w, "{v}");
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), EncodeError> {
        self.w.f64(f64::from(v));
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), EncodeError> {
        self.w.f64(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), EncodeError> {
        let mut utf8 = [0u8; 4];
        self.serialize_str(v.encode_utf8(&mut utf8))
    }
    fn serialize_str(self, v: &str) -> Result<(), EncodeError> {
        self.w.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), EncodeError> {
        use ser::SerializeSeq as _;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        for b in v {
            seq.serialize_element(b)?;
        }
        seq.end()
    }
    fn serialize_none(self) -> Result<(), EncodeError> {
        self.serialize_unit()
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), EncodeError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), EncodeError> {
        self.w.raw(b"null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), EncodeError> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), EncodeError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, name: &'static str, value: &T) -> Result<(), EncodeError> {
        match name {
            RAW_JSON_TOKEN => value.serialize(Verbatim { w: self.w, quoted: false }),
            ESCAPED_STR_TOKEN => value.serialize(Verbatim { w: self.w, quoted: true }),
            _ => value.serialize(self),
        }
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), EncodeError> {
        self.w.byte(b'{');
        self.w.string(variant);
        self.w.byte(b':');
        value.serialize(ValueSerializer { w: self.w })?;
        self.w.byte(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'w, 'b>, EncodeError> {
        Ok(self.open(b"[", b"]"))
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'w, 'b>, EncodeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'w, 'b>, EncodeError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w, 'b>, EncodeError> {
        Ok(self.variant_open(variant, b'[', b"]}"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'w, 'b>, EncodeError> {
        Ok(self.open(b"{", b"}"))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Compound<'w, 'b>, EncodeError> {
        Ok(self.open(b"{", b"}"))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w, 'b>, EncodeError> {
        Ok(self.variant_open(variant, b'{', b"}}"))
    }
    fn collect_str<T: ?Sized + fmt::Display>(self, value: &T) -> Result<(), EncodeError> {
        self.w.byte(b'"');
        let _ = write!(EscapingWriter { w: self.w }, "{value}");
        self.w.byte(b'"');
        Ok(())
    }
}

/// `fmt::Write` adapter that escapes what it is given.
struct EscapingWriter<'w, 'b> {
    w: &'w mut Writer<'b>,
}

impl fmt::Write for EscapingWriter<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.w.escaped_body(s);
        Ok(())
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.comma();
        self.value(value)
    }
    fn end(self) -> Result<(), EncodeError> {
        Compound::end(self)
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), EncodeError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), EncodeError> {
        Compound::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), EncodeError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), EncodeError> {
        Compound::end(self)
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), EncodeError> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), EncodeError> {
        Compound::end(self)
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), EncodeError> {
        self.member_key(key)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), EncodeError> {
        self.value(value)
    }
    fn end(self) -> Result<(), EncodeError> {
        Compound::end(self)
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), EncodeError> {
        self.comma();
        self.w.string(key);
        self.w.byte(b':');
        self.value(value)
    }
    fn end(self) -> Result<(), EncodeError> {
        Compound::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = EncodeError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), EncodeError> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<(), EncodeError> {
        Compound::end(self)
    }
}

/// Generates the `Serializer` methods of a serializer that accepts only some kinds of value;
/// every listed method returns the given error. Scalars are listed with their argument, the
/// generic and compound ones by name.
macro_rules! reject {
    ($err:expr; $($method:ident($($arg:ident: $ty:ty),*);)* $(; $($generic:ident),*)?) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<Self::Ok, EncodeError> {
            let _ = ($($arg,)*);
            Err($err)
        })*
        $($(reject!(@generic $err; $generic);)*)?
    };
    (@generic $err:expr; some) => {
        fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<(), EncodeError> {
            Err($err)
        }
    };
    (@generic $err:expr; newtype_struct) => {
        fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, _: &T) -> Result<(), EncodeError> {
            Err($err)
        }
    };
    (@generic $err:expr; newtype_variant) => {
        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<(), EncodeError> {
            Err($err)
        }
    };
    (@generic $err:expr; seq) => {
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, EncodeError> {
            Err($err)
        }
    };
    (@generic $err:expr; tuple) => {
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, EncodeError> {
            Err($err)
        }
    };
    (@generic $err:expr; tuple_struct) => {
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, EncodeError> {
            Err($err)
        }
    };
    (@generic $err:expr; tuple_variant) => {
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, EncodeError> {
            Err($err)
        }
    };
    (@generic $err:expr; map) => {
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, EncodeError> {
            Err($err)
        }
    };
    (@generic $err:expr; struct) => {
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, EncodeError> {
            Err($err)
        }
    };
    (@generic $err:expr; struct_variant) => {
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, EncodeError> {
            Err($err)
        }
    };
    (@generic $err:expr; collect_str) => {
        fn collect_str<T: ?Sized + fmt::Display>(self, _: &T) -> Result<(), EncodeError> {
            Err($err)
        }
    };
}

/// Writes a string given to it verbatim (the bytes are already valid JSON).
struct Verbatim<'w, 'b> {
    w: &'w mut Writer<'b>,
    quoted: bool,
}

impl ser::Serializer for Verbatim<'_, '_> {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = ser::Impossible<(), EncodeError>;
    type SerializeTuple = ser::Impossible<(), EncodeError>;
    type SerializeTupleStruct = ser::Impossible<(), EncodeError>;
    type SerializeTupleVariant = ser::Impossible<(), EncodeError>;
    type SerializeMap = ser::Impossible<(), EncodeError>;
    type SerializeStruct = ser::Impossible<(), EncodeError>;
    type SerializeStructVariant = ser::Impossible<(), EncodeError>;

    fn serialize_str(self, v: &str) -> Result<(), EncodeError> {
        if self.quoted {
            self.w.byte(b'"');
        }
        self.w.raw(v.as_bytes());
        if self.quoted {
            self.w.byte(b'"');
        }
        Ok(())
    }

    reject! { EncodeError::Serialize;
        serialize_bool(v: bool); serialize_i8(v: i8); serialize_i16(v: i16); serialize_i32(v: i32);
        serialize_i64(v: i64); serialize_u8(v: u8); serialize_u16(v: u16); serialize_u32(v: u32);
        serialize_u64(v: u64); serialize_f32(v: f32); serialize_f64(v: f64); serialize_char(v: char);
        serialize_bytes(v: &[u8]); serialize_none(); serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
        ; some, newtype_struct, newtype_variant, seq, tuple, tuple_struct, tuple_variant, map, struct, struct_variant, collect_str
    }
}

/// Serialises map keys: JSON keys must be strings, so numbers and chars are quoted (as
/// serde_json does) and anything else is an error.
struct KeySerializer<'w, 'b> {
    w: &'w mut Writer<'b>,
}

impl KeySerializer<'_, '_> {
    fn quoted(self, f: impl FnOnce(&mut Writer<'_>)) -> Result<(), EncodeError> {
        self.w.byte(b'"');
        f(self.w);
        self.w.byte(b'"');
        Ok(())
    }
}

impl ser::Serializer for KeySerializer<'_, '_> {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = ser::Impossible<(), EncodeError>;
    type SerializeTuple = ser::Impossible<(), EncodeError>;
    type SerializeTupleStruct = ser::Impossible<(), EncodeError>;
    type SerializeTupleVariant = ser::Impossible<(), EncodeError>;
    type SerializeMap = ser::Impossible<(), EncodeError>;
    type SerializeStruct = ser::Impossible<(), EncodeError>;
    type SerializeStructVariant = ser::Impossible<(), EncodeError>;

    fn serialize_str(self, v: &str) -> Result<(), EncodeError> {
        self.w.string(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), EncodeError> {
        let mut utf8 = [0u8; 4];
        self.serialize_str(v.encode_utf8(&mut utf8))
    }
    fn serialize_i8(self, v: i8) -> Result<(), EncodeError> {
        self.quoted(|w| w.i64(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<(), EncodeError> {
        self.quoted(|w| w.i64(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<(), EncodeError> {
        self.quoted(|w| w.i64(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<(), EncodeError> {
        self.quoted(|w| w.i64(v))
    }
    fn serialize_u8(self, v: u8) -> Result<(), EncodeError> {
        self.quoted(|w| w.u64(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<(), EncodeError> {
        self.quoted(|w| w.u64(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<(), EncodeError> {
        self.quoted(|w| w.u64(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<(), EncodeError> {
        self.quoted(|w| w.u64(v))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), EncodeError> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, name: &'static str, value: &T) -> Result<(), EncodeError> {
        if name == ESCAPED_STR_TOKEN {
            return value.serialize(Verbatim { w: self.w, quoted: true });
        }
        value.serialize(self)
    }
    fn collect_str<T: ?Sized + fmt::Display>(self, value: &T) -> Result<(), EncodeError> {
        ValueSerializer { w: self.w }.collect_str(value)
    }

    reject! { EncodeError::KeyMustBeString;
        serialize_bool(v: bool); serialize_f32(v: f32); serialize_f64(v: f64);
        serialize_bytes(v: &[u8]); serialize_none(); serialize_unit();
        serialize_unit_struct(name: &'static str);
        ; some, newtype_variant, seq, tuple, tuple_struct, tuple_variant, map, struct, struct_variant
    }
}

impl<'w, 'b> ser::Serializer for InlineMembers<'w, 'b> {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = ser::Impossible<(), EncodeError>;
    type SerializeTuple = ser::Impossible<(), EncodeError>;
    type SerializeTupleStruct = ser::Impossible<(), EncodeError>;
    type SerializeTupleVariant = ser::Impossible<(), EncodeError>;
    type SerializeMap = Compound<'w, 'b>;
    type SerializeStruct = Compound<'w, 'b>;
    type SerializeStructVariant = ser::Impossible<(), EncodeError>;

    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'w, 'b>, EncodeError> {
        Ok(Compound { w: self.w, first: self.first, close: b"" })
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'w, 'b>, EncodeError> {
        Ok(Compound { w: self.w, first: self.first, close: b"" })
    }
    fn serialize_unit(self) -> Result<(), EncodeError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), EncodeError> {
        Ok(())
    }
    fn serialize_none(self) -> Result<(), EncodeError> {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), EncodeError> {
        value.serialize(self)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, name: &'static str, value: &T) -> Result<(), EncodeError> {
        if name == RAW_JSON_TOKEN {
            return value.serialize(SpliceObject { w: self.w, first: self.first });
        }
        value.serialize(self)
    }

    reject! { EncodeError::FieldsNotAnObject;
        serialize_bool(v: bool); serialize_i8(v: i8); serialize_i16(v: i16); serialize_i32(v: i32);
        serialize_i64(v: i64); serialize_u8(v: u8); serialize_u16(v: u16); serialize_u32(v: u32);
        serialize_u64(v: u64); serialize_f32(v: f32); serialize_f64(v: f64); serialize_char(v: char);
        serialize_str(v: &str); serialize_bytes(v: &[u8]);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
        ; newtype_variant, seq, tuple, tuple_struct, tuple_variant, struct_variant, collect_str
    }
}

/// Receives the text of a pre-encoded object and writes its members without the braces.
struct SpliceObject<'w, 'b> {
    w: &'w mut Writer<'b>,
    first: bool,
}

impl SpliceObject<'_, '_> {
    fn splice(self, text: &str) -> Result<(), EncodeError> {
        let inner = text
            .trim()
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .ok_or(EncodeError::FieldsNotAnObject)?
            .trim();
        if !inner.is_empty() {
            if !self.first {
                self.w.byte(b',');
            }
            self.w.raw(inner.as_bytes());
        }
        Ok(())
    }
}

impl ser::Serializer for SpliceObject<'_, '_> {
    type Ok = ();
    type Error = EncodeError;
    type SerializeSeq = ser::Impossible<(), EncodeError>;
    type SerializeTuple = ser::Impossible<(), EncodeError>;
    type SerializeTupleStruct = ser::Impossible<(), EncodeError>;
    type SerializeTupleVariant = ser::Impossible<(), EncodeError>;
    type SerializeMap = ser::Impossible<(), EncodeError>;
    type SerializeStruct = ser::Impossible<(), EncodeError>;
    type SerializeStructVariant = ser::Impossible<(), EncodeError>;

    fn serialize_str(self, v: &str) -> Result<(), EncodeError> {
        self.splice(v)
    }

    reject! { EncodeError::FieldsNotAnObject;
        serialize_bool(v: bool); serialize_i8(v: i8); serialize_i16(v: i16); serialize_i32(v: i32);
        serialize_i64(v: i64); serialize_u8(v: u8); serialize_u16(v: u16); serialize_u32(v: u32);
        serialize_u64(v: u64); serialize_f32(v: f32); serialize_f64(v: f64); serialize_char(v: char);
        serialize_bytes(v: &[u8]); serialize_none(); serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
        ; some, newtype_struct, newtype_variant, seq, tuple, tuple_struct, tuple_variant, map, struct, struct_variant, collect_str
    }
}

impl ser::Error for EncodeError {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Self::Serialize
    }
}

/// Serialises any `Serialize` value as compact JSON into `out` and returns the length.
///
/// Unlike `serde_json_core::to_slice` this never panics: `char`s are written as strings, a
/// failing `Serialize` impl gives [`EncodeError::Serialize`], non-finite floats are written as
/// `null` (as `serde_json` does), [`RawJson`](super::RawJson) values are spliced verbatim and
/// [`JsonStr`](super::JsonStr) values are written with their escapes intact.
///
/// ```
/// let mut out = [0u8; 32];
/// let n = janus_signal::json::to_slice(&('"', [1u8, 2]), &mut out).unwrap();
/// assert_eq!(&out[..n], br#"["\"",[1,2]]"#);
/// ```
///
/// # Errors
///
/// [`EncodeError::BufferTooSmall`] with the exact size needed, or an error from the value's
/// `Serialize` implementation.
pub fn to_slice<T: ?Sized + Serialize>(value: &T, out: &mut [u8]) -> Result<usize, EncodeError> {
    let mut w = Writer::new(out);
    value.serialize(ValueSerializer { w: &mut w })?;
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Serialize;
    use serde::ser::Error as _;

    fn enc<T: Serialize>(v: &T) -> std::string::String {
        let mut buf = [0u8; 256];
        let n = to_slice(v, &mut buf).unwrap();
        std::string::String::from_utf8(buf[..n].to_vec()).unwrap()
    }

    #[derive(Serialize)]
    enum E {
        Unit,
        New(u8),
        Tup(u8, u8),
        Str { a: u8 },
    }

    #[derive(Serialize)]
    struct S<'a> {
        c: char,
        s: &'a str,
        f: f64,
        n: Option<u8>,
        e: [E; 4],
        neg: i32,
    }

    #[test]
    fn writes_serde_data_model_like_serde_json() {
        let v = S {
            c: '"',
            s: "a\u{1}\n€",
            f: 1.5,
            n: None,
            e: [E::Unit, E::New(1), E::Tup(1, 2), E::Str { a: 3 }],
            neg: -42,
        };
        assert_eq!(
            enc(&v),
            r#"{"c":"\"","s":"a\u0001\n€","f":1.5,"n":null,"e":["Unit",{"New":1},{"Tup":[1,2]},{"Str":{"a":3}}],"neg":-42}"#
        );
        assert_eq!(enc(&u64::MAX), "18446744073709551615");
        assert_eq!(enc(&0u64), "0");
        assert_eq!(enc(&i64::MIN), "-9223372036854775808");
        assert_eq!(enc(&f64::NAN), "null");
    }

    struct Failing;
    impl Serialize for Failing {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(S::Error::custom("nope"))
        }
    }

    #[test]
    fn custom_errors_do_not_panic() {
        let mut buf = [0u8; 8];
        assert_eq!(to_slice(&Failing, &mut buf), Err(EncodeError::Serialize));
    }

    #[test]
    fn reports_needed_size() {
        let mut buf = [0u8; 4];
        assert_eq!(to_slice(&"hello", &mut buf), Err(EncodeError::BufferTooSmall { needed: 7, available: 4 }));
    }

    #[test]
    fn escapes_around_word_boundaries() {
        // Every kind of special byte at every offset of strings around the 8- and 16-byte
        // steps, into buffers that fit exactly: nothing may be written past the output.
        let reference = |text: &str| {
            let mut out = std::string::String::from("\"");
            for c in text.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\n' => out.push_str("\\n"),
                    '\r' => out.push_str("\\r"),
                    '\t' => out.push_str("\\t"),
                    '\u{8}' => out.push_str("\\b"),
                    '\u{c}' => out.push_str("\\f"),
                    c if u32::from(c) < 0x20 => out.push_str(&std::format!("\\u{:04x}", u32::from(c))),
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        };
        // Miri interprets every byte: there, fewer cases still cross both word sizes.
        let (specials, step) = if cfg!(miri) {
            (&["\"", "\r\n", "\u{1}"][..], 5)
        } else {
            (&["\"", "\\", "\r\n", "\u{1}", "\n", "é", "\r"][..], 1)
        };
        for len in 0..40 {
            for special in specials {
                for at in (0..=len).step_by(step) {
                    let text = std::format!("{}{special}{}", "a".repeat(at), "b".repeat(len - at));
                    let want = reference(&text);
                    let mut buf = std::vec![0xAAu8; want.len() + 9];
                    let n = to_slice(&text.as_str(), &mut buf[..want.len()]).unwrap();
                    assert_eq!(&buf[..n], want.as_bytes());
                    assert!(buf[n..].iter().all(|&b| b == 0xAA));
                    let short = want.len() - 1;
                    assert_eq!(
                        to_slice(&text.as_str(), &mut buf[..short]),
                        Err(EncodeError::BufferTooSmall { needed: want.len(), available: short })
                    );
                }
            }
        }
    }
}
