//! The bytes inside a bundle's encryption: layout, manifest, signature and payload.
//! Whatever they are, the reader answers with a bundle or a refusal, never a panic.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = sinhke::sync::bundle::parse(data);
    let _ = sinhke::sync::kit::read(data);
});
