//! README's plugin table (section "Plugins") has one row per plugin the core registers
//! (`plugin::PLUGINS`), and no row for a plugin it does not: a new plugin module fails here
//! until the README says what its helper covers.

use janus_signal::plugin::PLUGINS;

#[test]
fn readme_lists_every_registered_plugin() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md");
    let section =
        readme.split("\n### Plugins\n").nth(1).expect("a Plugins section").split("\n## ").next().unwrap_or("");
    let rows: Vec<&str> = section
        .lines()
        .filter_map(|line| line.strip_prefix("| `janus.plugin."))
        .filter_map(|rest| rest.split('`').next())
        .collect();
    for package in PLUGINS {
        let name = package.strip_prefix("janus.plugin.").expect("a janus.plugin. name");
        assert!(rows.contains(&name), "README's plugin table has no row for {package}");
    }
    for row in &rows {
        assert!(
            PLUGINS.contains(&format!("janus.plugin.{row}").as_str()),
            "README lists janus.plugin.{row}, which core does not register"
        );
    }
    assert_eq!(rows.len(), PLUGINS.len(), "one row per plugin: {rows:?}");
}
