//! JSON helpers: Janus's (indented) messages as one line, and JSON arguments.

use serde_json::{Map, Value};

/// `text` without the whitespace between tokens: one line, keys in Janus's order, strings
/// untouched. `text` is JSON already decoded by the client (this does not validate it).
pub(crate) fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
}

/// Parses a command line argument that must be a JSON object (a plugin message `body`).
pub(crate) fn parse_object(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(other) => Err(format!("the message body must be a JSON object like {{\"audio\":true}}, not {other}")),
        Err(e) => Err(format!("the message body is not JSON ({e}): {text}")),
    }
}

/// Parses a message Janus sent (already decoded once by the client).
pub(crate) fn value(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacts_outside_strings_only() {
        let indented = "{\n   \"janus\": \"event\",\n   \"data\": {\n      \"text\": \"a \\\" b\\\\\",\n      \"list\": [ 1, 2 ]\n   }\n}";
        let line = compact(indented);
        assert_eq!(line, r#"{"janus":"event","data":{"text":"a \" b\\","list":[1,2]}}"#);
        assert_eq!(serde_json::from_str::<Value>(&line).ok(), serde_json::from_str::<Value>(indented).ok());
    }

    #[test]
    fn objects_only() {
        assert!(parse_object(r#"{"audio": true}"#).is_ok());
        assert!(parse_object("[1]").unwrap_err().contains("JSON object"));
        assert!(parse_object("{audio: true").unwrap_err().contains("not JSON"));
        assert!(parse_object("").is_err());
    }
}
