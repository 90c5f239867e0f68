//! The committed `include/ossbridge.h` must be exactly what the pinned cbindgen generates from
//! this crate. To refresh it after changing the API:
//! `OSSBRIDGE_UPDATE_HEADER=1 cargo test -p ossbridge-c --test header`.

use std::path::Path;

#[test]
fn committed_header_matches_cbindgen_output() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header_path = crate_dir.join("../../include/ossbridge.h");
    let config =
        cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("read cbindgen.toml");
    // Parsing the sources directly (not `cargo metadata`) keeps this independent of the rest of
    // the workspace; `mod` declarations are followed from lib.rs.
    let bindings = cbindgen::Builder::new()
        .with_config(config)
        .with_src(crate_dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen failed on bindings/c/src");
    let mut generated = Vec::new();
    bindings.write(&mut generated);
    let generated = String::from_utf8(generated).expect("header is UTF-8");

    let committed = std::fs::read_to_string(&header_path).unwrap_or_default();
    if committed == generated {
        return;
    }
    if std::env::var_os("OSSBRIDGE_UPDATE_HEADER").is_some() {
        std::fs::write(&header_path, &generated).expect("write include/ossbridge.h");
        return;
    }
    let first_difference = committed
        .lines()
        .zip(generated.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
        .map(|(i, (a, b))| format!("line {}: committed {a:?}, generated {b:?}", i + 1))
        .unwrap_or_else(|| "one is a prefix of the other".to_string());
    panic!(
        "include/ossbridge.h is stale ({first_difference}); regenerate with \
         OSSBRIDGE_UPDATE_HEADER=1 cargo test -p ossbridge-c --test header"
    );
}
