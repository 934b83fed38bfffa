//! The syntax tree of a parsed pattern.
//!
//! Nodes hold byte ranges into the pattern text, not copies of it: the tree is cheap to build
//! and every node can say where it came from. [`Pattern`] owns the text; read a node's text
//! through it. Chains of one operator (`a OR b OR c`) are one node with a list of operands.

use std::ops::Range;

use super::lexer::is_timestamp;
use super::Dialect;

/// A byte range into the pattern text.
pub type Span = Range<usize>;

/// A parsed STIX pattern: its text, the dialect it was read as, and its tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub(crate) source: String,
    pub(crate) dialect: Dialect,
    pub(crate) root: ObservationExpr,
}

impl Pattern {
    /// The pattern text as given.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The top of the tree.
    pub fn root(&self) -> &ObservationExpr {
        &self.root
    }

    /// The text a span covers.
    pub fn text(&self, span: &Span) -> &str {
        &self.source[span.clone()]
    }

    /// Every comparison in the pattern, left to right.
    pub fn comparisons(&self) -> Vec<&Comparison> {
        let mut out = Vec::new();
        self.root.for_each_comparison(&mut |c| out.push(c));
        out
    }
}

/// Observation operators, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObservationOp {
    FollowedBy,
    Or,
    And,
}

/// An observation expression: `[ … ]`, a combination of them, or one with a qualifier.
#[derive(Debug, Clone, PartialEq)]
pub enum ObservationExpr {
    /// `[ comparison expression ]`; the span covers the brackets.
    Observation {
        body: ComparisonExpr,
        span: Span,
    },
    /// Two or more operands joined by the same operator.
    Combined {
        op: ObservationOp,
        operands: Vec<ObservationExpr>,
    },
    /// `( … )` at observation level. Kept because a qualifier after it means something
    /// different from one after each member.
    Group(Box<ObservationExpr>),
    Qualified {
        inner: Box<ObservationExpr>,
        qualifier: Qualifier,
    },
}

impl ObservationExpr {
    pub(crate) fn for_each_comparison<'a>(&'a self, f: &mut dyn FnMut(&'a Comparison)) {
        match self {
            ObservationExpr::Observation { body, .. } => body.for_each_comparison(f),
            ObservationExpr::Combined { operands, .. } => operands.iter().for_each(|o| o.for_each_comparison(f)),
            ObservationExpr::Group(inner) | ObservationExpr::Qualified { inner, .. } => inner.for_each_comparison(f),
        }
    }
}

/// `WITHIN n SECONDS`, `REPEATS n TIMES` or `START t'…' STOP t'…'`.
#[derive(Debug, Clone, PartialEq)]
pub struct Qualifier {
    pub kind: QualifierKind,
    /// From the keyword to the end of the qualifier.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum QualifierKind {
    /// The number of seconds, an integer or float literal.
    Within(Literal),
    Repeats(Literal),
    StartStop {
        start: Literal,
        stop: Literal,
    },
}

impl QualifierKind {
    pub fn keyword(&self) -> &'static str {
        match self {
            QualifierKind::Within(_) => "WITHIN",
            QualifierKind::Repeats(_) => "REPEATS",
            QualifierKind::StartStop { .. } => "START/STOP",
        }
    }
}

/// Inside brackets: comparisons joined by AND / OR, with parentheses.
#[derive(Debug, Clone, PartialEq)]
pub enum ComparisonExpr {
    Test(Comparison),
    And(Vec<ComparisonExpr>),
    Or(Vec<ComparisonExpr>),
}

impl ComparisonExpr {
    pub(crate) fn for_each_comparison<'a>(&'a self, f: &mut dyn FnMut(&'a Comparison)) {
        match self {
            ComparisonExpr::Test(c) => f(c),
            ComparisonExpr::And(list) | ComparisonExpr::Or(list) => list.iter().for_each(|e| e.for_each_comparison(f)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Eq,
    Neq,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Like,
    Matches,
    IsSubset,
    IsSuperset,
    Exists,
}

impl Operator {
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "=",
            Operator::Neq => "!=",
            Operator::Lt => "<",
            Operator::Le => "<=",
            Operator::Gt => ">",
            Operator::Ge => ">=",
            Operator::In => "IN",
            Operator::Like => "LIKE",
            Operator::Matches => "MATCHES",
            Operator::IsSubset => "ISSUBSET",
            Operator::IsSuperset => "ISSUPERSET",
            Operator::Exists => "EXISTS",
        }
    }
}

/// `path [NOT] operator value`, or `[NOT] EXISTS path` (STIX 2.1).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub path: ObjectPath,
    pub negated: bool,
    pub operator: Operator,
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    One(Literal),
    /// The list after IN.
    Set(Vec<Literal>),
    /// EXISTS takes no value.
    None,
}

/// `type:first.step[0].'quoted'[*]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectPath {
    pub object_type: Span,
    /// The first property and every step after it, in order.
    pub steps: Vec<PathStep>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PathStep {
    /// A property name; `quoted` when it was written `'…'` (the span then covers the quotes).
    Key { span: Span, quoted: bool },
    /// `[n]`; the span covers the digits.
    Index(Span),
    /// `[*]`.
    AnyIndex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiteralKind {
    Int,
    Float,
    Str,
    Bool,
    Hex,
    Binary,
    Timestamp,
}

/// A constant; the span covers it as written (`'a\'b'`, `h'ff'`, `-5`).
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub kind: LiteralKind,
    pub span: Span,
}

impl Literal {
    /// The value the constant stands for: a string unescaped, the body of `h'…'`, `b'…'` or
    /// `t'…'`, a number without a leading `+`. STIX 2.0 START/STOP strings read as their text.
    pub fn value(&self, source: &str) -> String {
        let raw = &source[self.span.clone()];
        match self.kind {
            LiteralKind::Str => unescape(&raw[1..raw.len() - 1]),
            LiteralKind::Hex | LiteralKind::Binary | LiteralKind::Timestamp => raw[2..raw.len() - 1].to_string(),
            LiteralKind::Int | LiteralKind::Float => raw.trim_start_matches('+').to_string(),
            LiteralKind::Bool => raw.to_string(),
        }
    }

    /// The timestamp text of a `t'…'` literal, or of a string holding one.
    pub fn timestamp_text<'s>(&self, source: &'s str) -> Option<&'s str> {
        let raw = &source[self.span.clone()];
        match self.kind {
            LiteralKind::Timestamp => Some(&raw[2..raw.len() - 1]),
            LiteralKind::Str if is_timestamp(&raw.as_bytes()[1..raw.len() - 1]) => Some(&raw[1..raw.len() - 1]),
            _ => None,
        }
    }
}

/// Removes the backslashes of `\'` and `\\` (the only escapes the lexer lets through).
pub(crate) fn unescape(body: &str) -> String {
    if !body.contains('\\') {
        return body.to_string();
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(escaped) = chars.next() {
                out.push(escaped);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_removes_only_escape_backslashes() {
        assert_eq!(unescape(r"C:\\Windows\\x"), r"C:\Windows\x");
        assert_eq!(unescape(r"it\'s"), "it's");
        assert_eq!(unescape("plain"), "plain");
    }

    #[test]
    fn literal_values() {
        let lit = |kind, s: &str| Literal { kind, span: 0..s.len() }.value(s);
        assert_eq!(lit(LiteralKind::Str, r"'a\'b'"), "a'b");
        assert_eq!(lit(LiteralKind::Hex, "h'ff'"), "ff");
        assert_eq!(lit(LiteralKind::Int, "+5"), "5");
        assert_eq!(lit(LiteralKind::Timestamp, "t'2016-06-01T00:00:00Z'"), "2016-06-01T00:00:00Z");
    }
}
