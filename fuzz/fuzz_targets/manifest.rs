//! A manifest's bytes, on their own.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sinhke::sync::bundle::parse_manifest(data);
});
