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
        cbindgen::Builder::new()
            .with_crate(&crate_dir)
            .with_config(config)
            .generate()
            .expect("cbindgen generates the header")
            .write_to_file(out_dir.join("cgroups.h"));
        for input in ["src/ffi", "cbindgen.toml"] {
            println!("cargo:rerun-if-changed={input}");
        }
    }
}
