//! Builds the widget as `/widget.js` serves it: minified, then compressed with gzip and
//! brotli at their strongest — once, here, instead of on every request (and without a
//! JavaScript tool chain: `cargo build` alone makes them). The script is embedded in the
//! binary from `OUT_DIR`; an edit to `web/widget/pintalk.js` re-runs this.

use std::error::Error;
use std::io::Write;
use std::path::PathBuf;

use sha2::Digest;

const SOURCE: &str = "../../web/widget/pintalk.js";

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo::rerun-if-changed={SOURCE}");
    let source = std::fs::read_to_string(SOURCE)?;
    let minified = minifier::js::minify(&source)
        .map_err(|e| format!("{SOURCE}: cannot minify: {e}"))?
        .to_string();
    let out = PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("widget.js"), &minified)?;
    // The ETag's root: the script's own digest, so it changes exactly when the script does.
    let digest = sha2::Sha256::digest(minified.as_bytes());
    let root: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(out.join("widget.js.etag"), root)?;

    // The gzip header's time stays 0, so the same source makes the same bytes.
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(minified.as_bytes())?;
    std::fs::write(out.join("widget.js.gz"), gzip.finish()?)?;

    let mut brotli = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut minified.as_bytes(), &mut brotli, &params)?;
    std::fs::write(out.join("widget.js.br"), brotli)?;
    Ok(())
}
