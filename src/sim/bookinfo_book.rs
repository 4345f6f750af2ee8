//! The book Bookinfo shows: its details, its two reviews and its summary, which the product
//! page, the details service and productpage's JSON all tell the same way.

/// The book's details: label on the page, key in details' JSON, value.
pub const DETAILS: [(&str, &str, &str); 6] = [
    ("Type:", "type", "paperback"),
    ("Pages:", "pages", "200"),
    ("Publisher:", "publisher", "PublisherA"),
    ("Language:", "language", "English"),
    ("ISBN-10:", "ISBN-10", "1234567890"),
    ("ISBN-13:", "ISBN-13", "123-1234567890"),
];

/// Bookinfo's two reviews: reviewer, stars, text.
pub const REVIEWS: [(&str, u8, &str); 2] = [
    (
        "Reviewer1",
        5,
        "An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!",
    ),
    (
        "Reviewer2",
        4,
        "Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.",
    ),
];

/// The book's summary, as the page and productpage's JSON show it.
pub const SUMMARY: &str = "<a href=\"https://en.wikipedia.org/wiki/The_Comedy_of_Errors\">Wikipedia Summary</a>: \
The Comedy of Errors is one of <b>William Shakespeare's</b> early plays. It is his shortest and one of his \
most farcical comedies, with a major part of the humour coming from slapstick and mistaken identity, in \
addition to puns and word play.";
