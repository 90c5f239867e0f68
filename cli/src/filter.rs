//! `--include` / `--exclude` of recursive commands: shell wildcards (`*`, `?`) matched
//! against the file name (the part after the last `/`), as ossutil does.

/// The name filters of one command.
#[derive(Clone, Debug, Default)]
pub struct NameFilter {
    include: Vec<String>,
    exclude: Vec<String>,
}

impl NameFilter {
    pub fn new(include: &[String], exclude: &[String]) -> NameFilter {
        NameFilter {
            include: include.to_vec(),
            exclude: exclude.to_vec(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Selected: matches an include pattern (or there is none) and no exclude pattern.
    pub fn selects(&self, path_or_key: &str) -> bool {
        let name = path_or_key
            .rsplit(['/', std::path::MAIN_SEPARATOR])
            .next()
            .unwrap_or(path_or_key);
        (self.include.is_empty() || self.include.iter().any(|p| wildcard(p, name)))
            && !self.exclude.iter().any(|p| wildcard(p, name))
    }
}

/// `*` matches any run of characters, `?` exactly one; everything else itself.
fn wildcard(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Greedy match with backtracking to the last `*` (linear in practice).
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard("*.jpg", "a.jpg"));
        assert!(!wildcard("*.jpg", "a.jpeg"));
        assert!(wildcard("f?.txt", "f1.txt"));
        assert!(!wildcard("f?.txt", "f10.txt"));
        assert!(wildcard("*", ""));
        assert!(wildcard("a*b*c", "aXXbYYc"));
        assert!(!wildcard("a*b*c", "aXXbYY"));
    }

    #[test]
    fn filters_use_the_file_name() {
        let f = NameFilter::new(&["*.jpg".into()], &["tmp*".into()]);
        assert!(f.selects("dir/pic.jpg"));
        assert!(!f.selects("dir/tmp1.jpg"));
        assert!(!f.selects("jpg/readme.md"));
        assert!(NameFilter::default().selects("anything"));
    }
}
