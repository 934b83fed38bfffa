//! Plain command-line flags: `--name VALUE`, `--name=VALUE` and `--switch`. Whatever is left
//! when a task has taken its flags is an error that names it.

pub struct Args(Vec<String>);

impl Args {
    pub fn new(list: Vec<String>) -> Args {
        Args(list)
    }

    /// Takes the first argument when it is one of `names` (a task's sub-command).
    pub fn subcommand(&mut self, names: &[&str]) -> Option<String> {
        let first = self.0.first()?;
        names.contains(&first.as_str()).then(|| self.0.remove(0))
    }

    pub fn switch(&mut self, name: &str) -> bool {
        let before = self.0.len();
        self.0.retain(|arg| arg != name);
        self.0.len() != before
    }

    pub fn value(&mut self, name: &str) -> Result<Option<String>, String> {
        let prefix = format!("{name}=");
        if let Some(at) = self.0.iter().position(|arg| arg.starts_with(&prefix)) {
            return Ok(Some(self.0.remove(at)[prefix.len()..].to_owned()));
        }
        let Some(at) = self.0.iter().position(|arg| arg == name) else { return Ok(None) };
        if at + 1 >= self.0.len() {
            return Err(format!("{name} needs a value"));
        }
        self.0.remove(at);
        Ok(Some(self.0.remove(at)))
    }

    /// A count such as `1000000`, `1_000_000`, `10k` or `1M`.
    pub fn count(&mut self, name: &str) -> Result<Option<u64>, String> {
        let Some(text) = self.value(name)? else { return Ok(None) };
        parse_count(&text)
            .map(Some)
            .ok_or_else(|| format!("{name}: `{text}` is not a count (e.g. 10000, 10_000, 10k, 1M)"))
    }

    pub fn finish(self) -> Result<(), String> {
        match self.0.first() {
            None => Ok(()),
            Some(arg) => Err(format!("unexpected argument `{arg}`")),
        }
    }
}

fn parse_count(text: &str) -> Option<u64> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    let (number, factor) = match digits.as_bytes().last()? {
        b'k' | b'K' => (&digits[..digits.len() - 1], 1_000),
        b'm' | b'M' => (&digits[..digits.len() - 1], 1_000_000),
        _ => (&digits[..], 1),
    };
    number.parse::<u64>().ok()?.checked_mul(factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_flags_in_either_form() {
        let mut args = Args::new(["--objects=10k", "--keep", "--files", "1_000"].map(String::from).to_vec());
        assert_eq!(args.count("--objects").unwrap(), Some(10_000));
        assert_eq!(args.count("--files").unwrap(), Some(1_000));
        assert!(args.switch("--keep"));
        assert!(args.finish().is_ok());
        assert_eq!(parse_count("1M"), Some(1_000_000));
        assert_eq!(parse_count("ten"), None);
    }
}
