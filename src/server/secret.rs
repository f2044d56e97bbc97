//! A setting that must never reach a log: keys, secrets, a database URL that may hold a password.

/// Text whose `Debug` and `Display` print `<redacted>`; the value itself only through
/// [`Secret::expose`], so every place that reads it says so.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neither_debug_nor_display_shows_the_value() {
        let secret = Secret::new("postgres://app:hunter2@db/app");
        assert_eq!(format!("{secret:?} {secret} {:?}", Some(&secret)), "<redacted> <redacted> Some(<redacted>)");
        assert_eq!(secret.expose(), "postgres://app:hunter2@db/app");
    }
}
