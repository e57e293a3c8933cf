// SPDX-License-Identifier: MIT OR Apache-2.0
//! Gives the shared library its soname and symbol versions and, with the `header` feature,
//! regenerates the C header.

use std::path::PathBuf;

/// The linker version script: the release that added each exported function.
const VERSION_SCRIPT: &str = "abi/libcgroups.map";

fn main() {
    let major = env("CARGO_PKG_VERSION_MAJOR");
    // Cargo never sets a soname; C consumers link against libcgroups.so.<major>.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libcgroups.so.{major}");
    symbol_versions();
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "header")]
    header::generate();
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("cargo sets {name}"))
}

/// Versions every exported function as abi/libcgroups.map says.
///
/// rustc hands the linker a version script of its own, an anonymous one that lists every
/// exported function: GNU ld refuses to combine it with named versions, and lld lets the first
/// script that names a symbol win. lld does let a version spelled in the symbol's name
/// (`name@@NODE`) take precedence over every script, so each function listed in our script is
/// renamed that way by a reference (`--undefined=name@@NODE`), and our script defines the nodes
/// and their order. Hence lld, which rustup's toolchains use by default since Rust 1.90 and
/// distributions package as `lld`. `-z defs` turns a listed name that the code does not define
/// into a link error instead of an undefined symbol of the library.
fn symbol_versions() {
    let script = PathBuf::from(env("CARGO_MANIFEST_DIR")).join(VERSION_SCRIPT);
    println!("cargo:rerun-if-changed={VERSION_SCRIPT}");
    let text = std::fs::read_to_string(&script)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", script.display()));
    let nodes = version_nodes(&text).unwrap_or_else(|err| panic!("{VERSION_SCRIPT}: {err}"));
    println!("cargo:rustc-cdylib-link-arg=-fuse-ld=lld");
    println!(
        "cargo:rustc-cdylib-link-arg=-Wl,--version-script={}",
        script.display()
    );
    // A sanitizer build (make check-asan) leaves its runtime's symbols to the executable.
    if std::env::var_os("CARGO_CFG_SANITIZE").is_none() {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-z,defs");
    }
    for (node, symbols) in nodes {
        for symbol in symbols {
            println!("cargo:rustc-cdylib-link-arg=-Wl,--undefined={symbol}@@{node}");
        }
    }
}

/// The nodes of a version script with the exact names in their `global:` lists, in order.
fn version_nodes(text: &str) -> Result<Vec<(String, Vec<String>)>, String> {
    let tokens = tokens(text)?;
    let mut tokens = tokens.iter().map(String::as_str).peekable();
    let mut nodes = Vec::new();
    while let Some(node) = tokens.next() {
        expect(&mut tokens, "{", node)?;
        let mut symbols = Vec::new();
        let mut global = true;
        loop {
            match tokens.next().ok_or(format!("node {node} is not closed"))? {
                "}" => break,
                label @ ("global" | "local") => {
                    expect(&mut tokens, ":", node)?;
                    global = label == "global";
                }
                name => {
                    let exact = name.starts_with("cgroups_")
                        && name.bytes().all(|b| b == b'_' || b.is_ascii_alphanumeric());
                    if global && !exact {
                        return Err(format!(
                            "node {node}: `{name}` is not an exact cgroups_ name"
                        ));
                    }
                    if global {
                        symbols.push(name.to_string());
                    }
                    expect(&mut tokens, ";", node)?;
                }
            }
        }
        // The node this one inherits, if any.
        if tokens.peek() != Some(&";") {
            tokens.next();
        }
        expect(&mut tokens, ";", node)?;
        nodes.push((node.to_string(), symbols));
    }
    Ok(nodes)
}

fn expect<'a>(
    tokens: &mut impl Iterator<Item = &'a str>,
    wanted: &str,
    node: &str,
) -> Result<(), String> {
    match tokens.next() {
        Some(token) if token == wanted => Ok(()),
        found => Err(format!("node {node}: `{wanted}` expected, found {found:?}")),
    }
}

/// The words and punctuation of a version script, without its `/* */` comments.
fn tokens(text: &str) -> Result<Vec<String>, String> {
    let mut code = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        code.push_str(&rest[..start]);
        let end = rest[start..].find("*/").ok_or("unterminated comment")?;
        rest = &rest[start + end + 2..];
        code.push(' ');
    }
    code.push_str(rest);
    for punctuation in ['{', '}', ';', ':'] {
        code = code.replace(punctuation, &format!(" {punctuation} "));
    }
    Ok(code.split_whitespace().map(String::from).collect())
}

#[cfg(feature = "header")]
mod header {
    use std::path::PathBuf;

    pub fn generate() {
        let crate_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let out_dir = PathBuf::from(super::env("OUT_DIR"));
        let version = |part: &str| super::env(&format!("CARGO_PKG_VERSION_{part}"));
        let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
            .expect("cbindgen.toml is readable");
        config.after_includes = Some(format!(
            "\n#define CGROUPS_VERSION_MAJOR {}\n#define CGROUPS_VERSION_MINOR {}\n#define CGROUPS_VERSION_PATCH {}\n\n{}",
            version("MAJOR"),
            version("MINOR"),
            version("PATCH"),
            config.after_includes.take().unwrap_or_default()
        ));
        let mut header = Vec::new();
        cbindgen::Builder::new()
            .with_crate(&crate_dir)
            .with_config(config)
            .generate()
            .expect("cbindgen generates the header")
            .write(&mut header);
        let header = String::from_utf8(header).expect("cbindgen writes UTF-8");
        std::fs::write(
            out_dir.join("cgroups.h"),
            c89(&collapse_blank_lines(&header)),
        )
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

    /// cbindgen's C is C99; this makes it C89 too (the header is compiled with
    /// `-std=c89 -pedantic-errors` by tests/packaging): `//` comments after its C++ guards
    /// become `/* */`, the last enumerator of an enum loses its comma, and 64-bit literals
    /// (`…ull`) become `UINT64_C(…)`.
    fn c89(header: &str) -> String {
        let lines: Vec<&str> = header.lines().collect();
        let mut out = String::with_capacity(header.len());
        for (i, line) in lines.iter().enumerate() {
            let mut line = line.to_string();
            if line.starts_with(['#', '}']) {
                if let Some(at) = line.find("//") {
                    line = format!("{}/* {} */", &line[..at], line[at + 2..].trim());
                }
            }
            let closes_enum = lines
                .get(i + 1)
                .is_some_and(|next| next.trim_start().starts_with('}'));
            if closes_enum && line.ends_with(',') {
                line.pop();
            }
            if line.starts_with("#define ") {
                line = uint64_literals(&line);
            }
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    /// `#define X 18446744073709551615ull` → `#define X UINT64_C(18446744073709551615)`.
    fn uint64_literals(line: &str) -> String {
        line.split(' ')
            .map(|word| match word.strip_suffix("ull") {
                Some(digits)
                    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) =>
                {
                    format!("UINT64_C({digits})")
                }
                _ => word.to_string(),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}
