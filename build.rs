//! Sets the soname of the shared library and, with the `header` feature, regenerates the C header.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "0".into());
    // Cargo never sets a soname; C consumers link against libcgroups.so.<major>.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcgroups.so.{major}");
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "header")]
    header::generate();
}

#[cfg(feature = "header")]
mod header {
    use std::path::PathBuf;

    pub fn generate() {
        let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
        let version = |part: &str| {
            std::env::var(format!("CARGO_PKG_VERSION_{part}")).expect("cargo sets the version")
        };
        let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
            .expect("cbindgen.toml is readable");
        config.after_includes = Some(format!(
            "\n#define CGROUPS_VERSION_MAJOR {}\n#define CGROUPS_VERSION_MINOR {}\n#define CGROUPS_VERSION_PATCH {}\n",
            version("MAJOR"),
            version("MINOR"),
            version("PATCH")
        ));
        let mut header = Vec::new();
        cbindgen::Builder::new()
            .with_crate(&crate_dir)
            .with_config(config)
            .generate()
            .expect("cbindgen generates the header")
            .write(&mut header);
        let header = String::from_utf8(header).expect("cbindgen writes UTF-8");
        std::fs::write(out_dir.join("cgroups.h"), collapse_blank_lines(&header))
            .expect("OUT_DIR is writable");
        for input in ["src", "cbindgen.toml"] {
            println!("cargo:rerun-if-changed={input}");
        }
    }

    /// cbindgen leaves an empty line where it skipped an item (a Rust-only constant): keep at
    /// most one empty line in a row.
    fn collapse_blank_lines(header: &str) -> String {
        let mut out = String::with_capacity(header.len());
        let mut empty_run = 0;
        for line in header.lines() {
            empty_run = if line.is_empty() { empty_run + 1 } else { 0 };
            if empty_run <= 1 {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }
}
