//! The label selector grammar, parsed as apimachinery's `labels.Parse` parses it, so a
//! malformed `labelSelector` is refused with the apiserver's own words.
//!
//! Only the structure is checked; label keys and values are not validated.

/// One term of a selector.
#[derive(Debug, Clone, PartialEq)]
pub enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
    GreaterThan(String, i64),
    LessThan(String, i64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Error,
    End,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

fn keyword(text: &str) -> Option<Token> {
    Some(match text {
        ")" => Token::ClosedPar,
        "," => Token::Comma,
        "!" => Token::DoesNotExist,
        "==" => Token::DoubleEquals,
        "=" => Token::Equals,
        ">" => Token::GreaterThan,
        "in" => Token::In,
        "<" => Token::LessThan,
        "!=" => Token::NotEquals,
        "notin" => Token::NotIn,
        "(" => Token::OpenPar,
        _ => return None,
    })
}

fn is_special(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The lexer: the longest run of special symbols that is still an operator, or a word.
fn scan(text: &str) -> Vec<(Token, String)> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    let mut items = Vec::new();
    loop {
        while pos < bytes.len() && is_space(bytes[pos]) {
            pos += 1;
        }
        if pos >= bytes.len() {
            items.push((Token::End, String::new()));
            return items;
        }
        let start = pos;
        if is_special(bytes[pos]) {
            let mut last: Option<(Token, usize)> = None;
            while pos < bytes.len() && is_special(bytes[pos]) {
                pos += 1;
                match keyword(&text[start..pos]) {
                    Some(token) => last = Some((token, pos)),
                    None if last.is_some() => {
                        pos -= 1;
                        break;
                    }
                    None => {}
                }
            }
            match last {
                Some((token, end)) => {
                    pos = end;
                    items.push((token, text[start..end].to_string()));
                }
                None => {
                    let found = &text[start..pos];
                    let message = format!("error expected: keyword found '{found}'");
                    items.push((Token::Error, message));
                }
            }
        } else {
            while pos < bytes.len() && !is_special(bytes[pos]) && !is_space(bytes[pos]) {
                pos += 1;
            }
            let word = &text[start..pos];
            let token = keyword(word).unwrap_or(Token::Identifier);
            items.push((token, word.to_string()));
        }
    }
}

struct Parser {
    items: Vec<(Token, String)>,
    position: usize,
}

impl Parser {
    /// The current item; `in` and `notin` read as identifiers where values are expected.
    fn lookahead(&self, values: bool) -> (Token, String) {
        let (token, literal) = self
            .items
            .get(self.position)
            .cloned()
            .unwrap_or((Token::End, String::new()));
        match token {
            Token::In | Token::NotIn if values => (Token::Identifier, literal),
            _ => (token, literal),
        }
    }

    fn consume(&mut self, values: bool) -> (Token, String) {
        let item = self.lookahead(values);
        self.position += 1;
        item
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, String> {
        let mut requirements = Vec::new();
        loop {
            let (token, literal) = self.lookahead(true);
            match token {
                Token::Identifier | Token::DoesNotExist => {
                    let requirement = self
                        .requirement()
                        .map_err(|e| format!("unable to parse requirement: {e}"))?;
                    requirements.push(requirement);
                    let (token, literal) = self.consume(true);
                    match token {
                        Token::End => return Ok(requirements),
                        Token::Comma => {
                            let (next, literal) = self.lookahead(true);
                            if next != Token::Identifier && next != Token::DoesNotExist {
                                return Err(format!(
                                    "found '{literal}', expected: identifier after ','"
                                ));
                            }
                        }
                        _ => {
                            return Err(format!(
                                "found '{literal}', expected: ',' or 'end of string'"
                            ));
                        }
                    }
                }
                Token::End => return Ok(requirements),
                _ => {
                    return Err(format!(
                        "found '{literal}', expected: !, identifier, or 'end of string'"
                    ));
                }
            }
        }
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let (mut token, mut key) = self.consume(true);
        let negated = token == Token::DoesNotExist;
        if negated {
            (token, key) = self.consume(true);
        }
        if token != Token::Identifier {
            return Err(format!("found '{key}', expected: identifier"));
        }
        if negated {
            // `!key` takes no operator: whatever follows is left for the caller to refuse.
            return Ok(Requirement::NotExists(key));
        }
        let (next, _) = self.lookahead(true);
        if next == Token::End || next == Token::Comma {
            return Ok(Requirement::Exists(key));
        }
        let (operator, literal) = self.consume(false);
        match operator {
            Token::In => Ok(Requirement::In(key, self.values()?)),
            Token::NotIn => Ok(Requirement::NotIn(key, self.values()?)),
            Token::Equals | Token::DoubleEquals => Ok(Requirement::Equals(key, self.exact()?)),
            Token::NotEquals => Ok(Requirement::NotEquals(key, self.exact()?)),
            Token::GreaterThan | Token::LessThan => {
                let value = self.exact()?;
                let Ok(number) = value.parse::<i64>() else {
                    return Err(format!(
                        "values[0]: Invalid value: \"{value}\": for 'Gt', 'Lt' operators, the value must be an integer"
                    ));
                };
                Ok(if operator == Token::GreaterThan {
                    Requirement::GreaterThan(key, number)
                } else {
                    Requirement::LessThan(key, number)
                })
            }
            _ => Err(format!(
                "found '{literal}', expected: in, notin, =, ==, !=, gt, lt"
            )),
        }
    }

    fn exact(&mut self) -> Result<String, String> {
        let (token, _) = self.lookahead(true);
        if token == Token::End || token == Token::Comma {
            return Ok(String::new());
        }
        match self.consume(true) {
            (Token::Identifier, value) => Ok(value),
            (_, literal) => Err(format!("found '{literal}', expected: identifier")),
        }
    }

    fn values(&mut self) -> Result<Vec<String>, String> {
        let (token, literal) = self.consume(true);
        if token != Token::OpenPar {
            return Err(format!("found '{literal}' expected: '('"));
        }
        let (token, literal) = self.lookahead(true);
        match token {
            Token::Identifier | Token::Comma => {
                let values = self.identifiers()?;
                if self.consume(true).0 != Token::ClosedPar {
                    return Err(format!("found '{literal}', expected: ')'"));
                }
                Ok(values)
            }
            Token::ClosedPar => {
                self.consume(true);
                Ok(vec![String::new()])
            }
            _ => Err(format!(
                "found '{literal}', expected: ',', ')' or identifier"
            )),
        }
    }

    fn identifiers(&mut self) -> Result<Vec<String>, String> {
        let mut values: Vec<String> = Vec::new();
        loop {
            let (token, literal) = self.consume(true);
            match token {
                Token::Identifier => {
                    values.push(literal);
                    let (next, literal) = self.lookahead(true);
                    match next {
                        Token::Comma => continue,
                        Token::ClosedPar => return Ok(values),
                        _ => return Err(format!("found '{literal}', expected: ',' or ')'")),
                    }
                }
                Token::Comma => {
                    if values.is_empty() {
                        values.push(String::new());
                    }
                    let (next, _) = self.lookahead(true);
                    if next == Token::ClosedPar {
                        values.push(String::new());
                        return Ok(values);
                    }
                    if next == Token::Comma {
                        self.consume(true);
                        values.push(String::new());
                    }
                }
                _ => return Err(format!("found '{literal}', expected: ',', or identifier")),
            }
        }
    }
}

/// Parses a `labelSelector`; the error is the apiserver's message for a 400.
pub fn parse(text: &str) -> Result<Vec<Requirement>, String> {
    let items = scan(text);
    if let Some((_, message)) = items.iter().find(|(token, _)| *token == Token::Error) {
        // Go's parser meets the lexer's error as an unexpected token; its text says why.
        return Err(format!(
            "found '{message}', expected: !, identifier, or 'end of string'"
        ));
    }
    Parser { items, position: 0 }.parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse_into_requirements() {
        assert_eq!(
            parse("app=reviews, version in (v1,v2),!canary, tier notin ()").unwrap(),
            vec![
                Requirement::Equals("app".into(), "reviews".into()),
                Requirement::In("version".into(), vec!["v1".into(), "v2".into()]),
                Requirement::NotExists("canary".into()),
                Requirement::NotIn("tier".into(), vec![String::new()]),
            ]
        );
        assert_eq!(parse("").unwrap(), vec![]);
        assert_eq!(
            parse("a==b,c!=").unwrap(),
            vec![
                Requirement::Equals("a".into(), "b".into()),
                Requirement::NotEquals("c".into(), String::new())
            ]
        );
    }

    /// The messages apimachinery's own tests list for these inputs.
    #[test]
    fn malformed_selectors_fail_in_the_apiservers_words() {
        let error = |text: &str| parse(text).unwrap_err();
        assert_eq!(
            error("==="),
            "found '==', expected: !, identifier, or 'end of string'"
        );
        assert_eq!(
            error("=a"),
            "found '=', expected: !, identifier, or 'end of string'"
        );
        assert_eq!(error("a=b,"), "found '', expected: identifier after ','");
        assert_eq!(
            error("a=b c"),
            "found 'c', expected: ',' or 'end of string'"
        );
        assert_eq!(
            error("!!"),
            "unable to parse requirement: found '!', expected: identifier"
        );
        assert_eq!(
            error("a b"),
            "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"
        );
        assert_eq!(error("!a=b"), "found '=', expected: ',' or 'end of string'");
        assert_eq!(
            parse("n>3").unwrap(),
            vec![Requirement::GreaterThan("n".into(), 3)]
        );
        assert_eq!(
            error("x in y"),
            "unable to parse requirement: found 'y' expected: '('"
        );
    }
}
