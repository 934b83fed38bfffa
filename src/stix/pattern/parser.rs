//! Recursive-descent parser from tokens to the tree in [`super::ast`].
//!
//! One function per grammar rule, weakest operator first:
//!
//! ```text
//! pattern        = followed_by EOF
//! followed_by    = or_obs  { FOLLOWEDBY or_obs }
//! or_obs         = and_obs { OR and_obs }
//! and_obs        = qualified { AND qualified }
//! qualified      = ( "[" or_cmp "]" | "(" followed_by ")" ) { qualifier }
//! or_cmp         = and_cmp { OR and_cmp }
//! and_cmp        = test { AND test }
//! test           = "(" or_cmp ")" | [NOT] EXISTS path (2.1) | path [NOT] operator value
//! ```
//!
//! It stops at the first error and never panics: brackets and parentheses may nest at most
//! [`MAX_DEPTH`] deep, which bounds the recursion on hostile input.

use super::ast::{
    ComparisonExpr, Literal, LiteralKind, ObjectPath, ObservationExpr, ObservationOp, Operator, PathStep, Qualifier,
    QualifierKind, Value,
};
use super::lexer::{is_timestamp, keyword, Keyword, Lexer, Token, TokenKind};
use super::Dialect;

/// How deep `(` and `[` may nest, counted together.
pub const MAX_DEPTH: usize = 64;

/// Where parsing stopped and why; the caller adds the column.
#[derive(Debug)]
pub(crate) struct Failure {
    pub offset: usize,
    pub message: String,
}

type Parsed<T> = Result<T, Failure>;

pub(crate) fn parse(src: &str, dialect: Dialect) -> Parsed<ObservationExpr> {
    let mut lexer = Lexer::new(src, dialect);
    let tok = lexer.next_token();
    let mut parser = Parser { src, lexer, tok, prev_end: 0, depth: 0, dialect };
    if parser.tok.kind == TokenKind::Eof {
        return Err(parser.failure("an empty pattern: expected '['".to_string()));
    }
    let root = parser.followed_by()?;
    if parser.tok.kind != TokenKind::Eof {
        return parser.expected("an observation operator (AND, OR, FOLLOWEDBY) or a qualifier");
    }
    Ok(root)
}

struct Parser<'a> {
    src: &'a str,
    lexer: Lexer<'a>,
    tok: Token,
    prev_end: usize,
    depth: usize,
    dialect: Dialect,
}

impl Parser<'_> {
    fn advance(&mut self) -> Token {
        let current = self.tok;
        self.prev_end = current.end;
        self.tok = self.lexer.next_token();
        current
    }

    fn at(&self, kind: TokenKind) -> bool {
        self.tok.kind == kind
    }

    fn at_keyword(&self, k: Keyword) -> bool {
        self.tok.kind == TokenKind::Keyword(k)
    }

    fn eat(&mut self, kind: TokenKind, what: &str) -> Parsed<Token> {
        if self.at(kind) {
            Ok(self.advance())
        } else {
            self.expected(what)
        }
    }

    fn failure(&self, message: String) -> Failure {
        Failure { offset: self.tok.start, message }
    }

    /// "expected X, found Y" at the current token (or the lexer's own complaint about it).
    fn expected<T>(&self, what: &str) -> Parsed<T> {
        let message = match self.tok.kind {
            TokenKind::Error(problem) => problem.to_string(),
            _ => format!("expected {what}, found {}{}", self.describe(self.tok), self.hint()),
        };
        Err(self.failure(message))
    }

    /// A nudge for the usual slips: lower-case keywords, double quotes, reserved words.
    fn hint(&self) -> &'static str {
        let text = &self.src[self.tok.start..self.tok.end];
        match self.tok.kind {
            TokenKind::Ident { hyphen: false } if matches!(text, "TRUE" | "FALSE" | "True" | "False") => {
                " (booleans are written true and false)"
            }
            TokenKind::Ident { hyphen: false }
                if keyword(text.to_ascii_uppercase().as_bytes(), self.dialect).is_some() =>
            {
                " (keywords are upper case)"
            }
            TokenKind::Stray if text == "\"" => " (strings use single quotes)",
            TokenKind::Keyword(_) | TokenKind::Bool => " (a reserved word; quote it to use it as a name)",
            _ => "",
        }
    }

    fn describe(&self, tok: Token) -> String {
        if tok.kind == TokenKind::Eof {
            return "the end of the pattern".to_string();
        }
        let text = &self.src[tok.start..tok.end];
        let mut shown: String = text
            .chars()
            .take(40)
            .flat_map(|c| {
                let escape = c.is_control();
                escape.then(|| c.escape_default()).into_iter().flatten().chain((!escape).then_some(c))
            })
            .collect();
        if text.chars().nth(40).is_some() {
            shown.push('…');
        }
        format!("'{shown}'")
    }

    fn open(&mut self) -> Parsed<Token> {
        if self.depth == MAX_DEPTH {
            return Err(self.failure(format!("brackets and parentheses nest deeper than {MAX_DEPTH} levels")));
        }
        self.depth += 1;
        Ok(self.advance())
    }

    // ---- observation level ----

    fn followed_by(&mut self) -> Parsed<ObservationExpr> {
        self.chain(Keyword::FollowedBy, ObservationOp::FollowedBy, Self::or_obs)
    }

    fn or_obs(&mut self) -> Parsed<ObservationExpr> {
        self.chain(Keyword::Or, ObservationOp::Or, Self::and_obs)
    }

    fn and_obs(&mut self) -> Parsed<ObservationExpr> {
        self.chain(Keyword::And, ObservationOp::And, Self::qualified)
    }

    fn chain(
        &mut self,
        keyword: Keyword,
        op: ObservationOp,
        operand: fn(&mut Self) -> Parsed<ObservationExpr>,
    ) -> Parsed<ObservationExpr> {
        let first = operand(self)?;
        if !self.at_keyword(keyword) {
            return Ok(first);
        }
        let mut operands = vec![first];
        while self.at_keyword(keyword) {
            self.advance();
            operands.push(operand(self)?);
        }
        Ok(ObservationExpr::Combined { op, operands })
    }

    fn qualified(&mut self) -> Parsed<ObservationExpr> {
        let (mut expr, bracketed) = match self.tok.kind {
            TokenKind::LBrack => (self.observation()?, true),
            TokenKind::LParen => (self.group()?, false),
            _ => return self.expected("'[' or '('"),
        };
        let mut seen: Vec<&'static str> = Vec::new();
        while let Some(qualifier) = self.qualifier()? {
            // Each qualifier wraps the expression once more: it counts as a level of nesting, or
            // a pattern of a hundred thousand `REPEATS 2 TIMES` would nest as deep, and
            // walking or dropping it would overflow the stack.
            if self.depth + seen.len() >= MAX_DEPTH {
                return Err(Failure {
                    offset: qualifier.span.start,
                    message: format!("brackets, parentheses and qualifiers nest deeper than {MAX_DEPTH} levels"),
                });
            }
            let keyword = qualifier.kind.keyword();
            // STIX 2.1 allows each kind of qualifier once directly on an observation.
            if bracketed && self.dialect == Dialect::Stix21 && seen.contains(&keyword) {
                return Err(Failure {
                    offset: qualifier.span.start,
                    message: format!("the observation already has a {keyword} qualifier"),
                });
            }
            seen.push(keyword);
            expr = ObservationExpr::Qualified { inner: Box::new(expr), qualifier };
        }
        Ok(expr)
    }

    fn observation(&mut self) -> Parsed<ObservationExpr> {
        let open = self.open()?;
        let body = self.or_cmp()?;
        let close = self.eat(TokenKind::RBrack, "']' or a boolean operator (AND, OR)")?;
        self.depth -= 1;
        Ok(ObservationExpr::Observation { body, span: open.start..close.end })
    }

    fn group(&mut self) -> Parsed<ObservationExpr> {
        self.open()?;
        let inner = self.followed_by()?;
        self.eat(TokenKind::RParen, "')', an observation operator (AND, OR, FOLLOWEDBY) or a qualifier")?;
        self.depth -= 1;
        Ok(ObservationExpr::Group(Box::new(inner)))
    }

    fn qualifier(&mut self) -> Parsed<Option<Qualifier>> {
        let start = self.tok.start;
        let kind = match self.tok.kind {
            TokenKind::Keyword(Keyword::Within) => self.within()?,
            TokenKind::Keyword(Keyword::Repeats) => self.repeats()?,
            TokenKind::Keyword(Keyword::Start) => self.start_stop()?,
            _ => return Ok(None),
        };
        let span = start..self.last_end();
        Ok(Some(Qualifier { kind, span }))
    }

    /// Where the last consumed token ended.
    fn last_end(&self) -> usize {
        self.prev_end
    }

    fn within(&mut self) -> Parsed<QualifierKind> {
        self.advance();
        let seconds = match self.tok.kind {
            TokenKind::IntPos => self.literal(LiteralKind::Int),
            TokenKind::FloatPos => self.literal(LiteralKind::Float),
            _ => return self.expected("a positive number of seconds"),
        };
        self.eat(TokenKind::Keyword(Keyword::Seconds), "SECONDS")?;
        Ok(QualifierKind::Within(seconds))
    }

    fn repeats(&mut self) -> Parsed<QualifierKind> {
        self.advance();
        if !self.at(TokenKind::IntPos) {
            return self.expected("a positive integer");
        }
        let count = self.literal(LiteralKind::Int);
        self.eat(TokenKind::Keyword(Keyword::Times), "TIMES")?;
        Ok(QualifierKind::Repeats(count))
    }

    fn start_stop(&mut self) -> Parsed<QualifierKind> {
        self.advance();
        let start = self.qualifier_timestamp()?;
        self.eat(TokenKind::Keyword(Keyword::Stop), "STOP")?;
        let stop = self.qualifier_timestamp()?;
        Ok(QualifierKind::StartStop { start, stop })
    }

    /// `t'…'`; STIX 2.0 content also writes the timestamp as a plain string.
    fn qualifier_timestamp(&mut self) -> Parsed<Literal> {
        match self.tok.kind {
            TokenKind::Timestamp => Ok(self.literal(LiteralKind::Timestamp)),
            TokenKind::Str if self.dialect == Dialect::Stix20 && self.string_is_timestamp() => {
                Ok(self.literal(LiteralKind::Str))
            }
            _ => self.expected("a timestamp t'YYYY-MM-DDTHH:MM:SSZ'"),
        }
    }

    fn string_is_timestamp(&self) -> bool {
        let raw = &self.src.as_bytes()[self.tok.start..self.tok.end];
        is_timestamp(&raw[1..raw.len() - 1])
    }

    fn literal(&mut self, kind: LiteralKind) -> Literal {
        let tok = self.advance();
        Literal { kind, span: tok.start..tok.end }
    }

    // ---- comparison level ----

    fn or_cmp(&mut self) -> Parsed<ComparisonExpr> {
        let first = self.and_cmp()?;
        if !self.at_keyword(Keyword::Or) {
            return Ok(first);
        }
        let mut list = vec![first];
        while self.at_keyword(Keyword::Or) {
            self.advance();
            list.push(self.and_cmp()?);
        }
        Ok(ComparisonExpr::Or(list))
    }

    fn and_cmp(&mut self) -> Parsed<ComparisonExpr> {
        let first = self.test()?;
        if !self.at_keyword(Keyword::And) {
            return Ok(first);
        }
        let mut list = vec![first];
        while self.at_keyword(Keyword::And) {
            self.advance();
            list.push(self.test()?);
        }
        Ok(ComparisonExpr::And(list))
    }

    fn test(&mut self) -> Parsed<ComparisonExpr> {
        match self.tok.kind {
            TokenKind::LParen => {
                self.open()?;
                let inner = self.or_cmp()?;
                self.eat(TokenKind::RParen, "')' or a boolean operator (AND, OR)")?;
                self.depth -= 1;
                Ok(inner)
            }
            TokenKind::Keyword(Keyword::Not | Keyword::Exists) if self.dialect == Dialect::Stix21 => self.exists(),
            _ => self.comparison(),
        }
    }

    fn exists(&mut self) -> Parsed<ComparisonExpr> {
        let start = self.tok.start;
        let negated = self.at_keyword(Keyword::Not);
        if negated {
            self.advance();
        }
        self.eat(TokenKind::Keyword(Keyword::Exists), "EXISTS")?;
        let path = self.object_path()?;
        let span = start..path.span.end;
        Ok(ComparisonExpr::Test(super::ast::Comparison {
            path,
            negated,
            operator: Operator::Exists,
            value: Value::None,
            span,
        }))
    }

    fn comparison(&mut self) -> Parsed<ComparisonExpr> {
        let path = self.object_path()?;
        let negated = self.at_keyword(Keyword::Not);
        if negated {
            self.advance();
        }
        let operator = self.operator()?;
        let value = self.value(operator)?;
        let span = path.span.start..self.last_end();
        Ok(ComparisonExpr::Test(super::ast::Comparison { path, negated, operator, value, span }))
    }

    fn operator(&mut self) -> Parsed<Operator> {
        let op = match self.tok.kind {
            TokenKind::Eq => Operator::Eq,
            TokenKind::Neq => Operator::Neq,
            TokenKind::Lt => Operator::Lt,
            TokenKind::Le => Operator::Le,
            TokenKind::Gt => Operator::Gt,
            TokenKind::Ge => Operator::Ge,
            TokenKind::Keyword(Keyword::In) => Operator::In,
            TokenKind::Keyword(Keyword::Like) => Operator::Like,
            TokenKind::Keyword(Keyword::Matches) => Operator::Matches,
            TokenKind::Keyword(Keyword::IsSubset) => Operator::IsSubset,
            TokenKind::Keyword(Keyword::IsSuperset) => Operator::IsSuperset,
            _ => return self.expected("a comparison operator"),
        };
        self.advance();
        Ok(op)
    }

    fn value(&mut self, op: Operator) -> Parsed<Value> {
        match op {
            Operator::Eq | Operator::Neq => Ok(Value::One(self.constant(true)?)),
            Operator::Lt | Operator::Le | Operator::Gt | Operator::Ge => Ok(Value::One(self.constant(false)?)),
            Operator::In => self.set(),
            _ => {
                if !self.at(TokenKind::Str) {
                    return self.expected(&format!("a string after {}", op.as_str()));
                }
                Ok(Value::One(self.literal(LiteralKind::Str)))
            }
        }
    }

    /// A constant; booleans only where `allow_bool` (they have no order).
    fn constant(&mut self, allow_bool: bool) -> Parsed<Literal> {
        let kind = match self.tok.kind {
            TokenKind::IntPos | TokenKind::IntNeg => LiteralKind::Int,
            TokenKind::FloatPos | TokenKind::FloatNeg => LiteralKind::Float,
            TokenKind::Str => LiteralKind::Str,
            TokenKind::Hex => LiteralKind::Hex,
            TokenKind::Binary => LiteralKind::Binary,
            TokenKind::Timestamp => LiteralKind::Timestamp,
            TokenKind::Bool if allow_bool => LiteralKind::Bool,
            _ if allow_bool => return self.expected("a constant"),
            _ => return self.expected("a constant that can be ordered (not a boolean)"),
        };
        Ok(self.literal(kind))
    }

    fn set(&mut self) -> Parsed<Value> {
        self.eat(TokenKind::LParen, "'(' to start the list after IN")?;
        let mut items = Vec::new();
        if !self.at(TokenKind::RParen) {
            items.push(self.constant(true)?);
            while self.at(TokenKind::Comma) {
                self.advance();
                items.push(self.constant(true)?);
            }
        }
        self.eat(TokenKind::RParen, "',' or ')' in the list after IN")?;
        Ok(Value::Set(items))
    }

    // ---- object paths ----

    fn object_path(&mut self) -> Parsed<ObjectPath> {
        let start = self.tok.start;
        let object_type = match self.tok.kind {
            TokenKind::Ident { .. } => self.advance(),
            _ => return self.expected("an object type such as 'file' or 'ipv4-addr'"),
        };
        self.eat(TokenKind::Colon, "':' after the object type")?;
        let mut steps = Vec::with_capacity(2);
        steps.push(self.property()?);
        loop {
            match self.tok.kind {
                TokenKind::Dot => {
                    self.advance();
                    steps.push(self.property()?);
                }
                TokenKind::LBrack => steps.push(self.index()?),
                _ => break,
            }
        }
        Ok(ObjectPath { object_type: object_type.start..object_type.end, steps, span: start..self.last_end() })
    }

    fn property(&mut self) -> Parsed<PathStep> {
        let quoted = match self.tok.kind {
            TokenKind::Ident { hyphen: false } => false,
            TokenKind::Str => true,
            TokenKind::Ident { hyphen: true } => {
                let message = format!(
                    "a property name with '-' must be quoted: write '{}'",
                    &self.src[self.tok.start..self.tok.end]
                );
                return Err(self.failure(message));
            }
            _ => return self.expected("a property name"),
        };
        let tok = self.advance();
        Ok(PathStep::Key { span: tok.start..tok.end, quoted })
    }

    fn index(&mut self) -> Parsed<PathStep> {
        self.open()?;
        let step = match self.tok.kind {
            TokenKind::Asterisk => {
                self.advance();
                PathStep::AnyIndex
            }
            TokenKind::IntPos => {
                let tok = self.advance();
                let digits = if self.src.as_bytes()[tok.start] == b'+' { tok.start + 1 } else { tok.start };
                PathStep::Index(digits..tok.end)
            }
            TokenKind::IntNeg => return Err(self.failure("a list index cannot be negative".to_string())),
            _ => return self.expected("a list index (a number or '*')"),
        };
        self.eat(TokenKind::RBrack, "']' after the list index")?;
        self.depth -= 1;
        Ok(step)
    }
}
