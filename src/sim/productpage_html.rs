//! The markup of Bookinfo's product page: what today's productpage shows (navbar, the book,
//! its summary and details, two reviews with no, black or red stars), self-contained so a
//! browser on a projector shows it right with no network: the CSS is inline and the stars
//! are inline SVG.
//!
//! The class names are Bookinfo's own (`flex gap-x-1 text-red-500`, "Reviews served by:"), so
//! the traffic probe's classifier reads this page as it reads the real one.

use super::bookinfo_book::SUMMARY;

/// What the page shows for the reviews part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reviews<'a> {
    /// Served by `pod` of `version`; `ratings` false when the ratings call failed.
    Served {
        version: &'a str,
        pod: &'a str,
        ratings: bool,
    },
    Unavailable,
}

/// Tailwind's look for the classes the page uses, written out so no stylesheet is fetched.
const STYLE: &str = "*{box-sizing:border-box}body{margin:0;font-family:ui-sans-serif,system-ui,sans-serif;\
color:#111827;background:#fff;font-size:18px;line-height:1.5}\
nav{background:#1f2937;color:#fff;display:flex;justify-content:space-between;align-items:center;padding:16px 32px}\
nav .brand{font-size:1.5rem;font-weight:700;color:#fff;text-decoration:none}\
nav button{background:#2563eb;color:#fff;border:0;border-radius:6px;padding:8px 16px;font-size:1rem}\
.container{max-width:1200px;margin:0 auto;padding:24px 32px}\
.text-5xl{font-size:3rem;line-height:1.1}.text-3xl{font-size:1.875rem}.text-2xl{font-size:1.5rem}\
.text-lg{font-size:1.125rem}.font-bold{font-weight:700}.font-semibold{font-weight:600}\
.font-mono{font-family:ui-monospace,monospace}.text-gray-600{color:#4b5563}.text-gray-900{color:#111827}\
.text-red-500{color:#ef4444}.text-black{color:#000}.summary{font-size:1.25rem;max-width:60em}\
.columns{display:flex;flex-wrap:wrap;gap:32px}.columns>div{flex:1 1 420px}\
.bg-blue-600\\/5{background:rgba(37,99,235,.05)}.card{border-radius:12px;padding:24px}\
dl{display:grid;grid-template-columns:max-content auto;gap:8px 24px;margin:0}dt{font-weight:600}dd{margin:0}\
section.review{padding:16px 0;border-bottom:1px solid #e5e7eb}section.review:last-child{border:0}\
blockquote{margin:8px 0;font-size:1.125rem}.flex{display:flex}.gap-x-1{gap:4px}\
.h-5{height:1.5rem}.w-5{width:1.5rem}.flex-none{flex:none}";

const STAR_PATH: &str =
    "M10 1.5l2.6 5.3 5.9.9-4.2 4.1 1 5.8L10 14.9l-5.3 2.7 1-5.8L1.5 7.7l5.9-.9z";

/// The whole page.
pub fn page(reviews: &Reviews, details: bool) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Simple Bookstore App</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <nav><a class=\"brand\" href=\"#\">BookInfo Sample</a><button type=\"button\">Sign in</button></nav>\n\
         <div class=\"container\">\n<h1 class=\"text-5xl font-bold\">The Comedy of Errors</h1>\n\
         <p class=\"summary\">{SUMMARY}</p>\n</div>\n\
         <div class=\"container columns\">\n<div class=\"card bg-blue-600/5\">\n{}</div>\n\
         <div class=\"card bg-blue-600/5\">\n{}</div>\n</div>\n</body>\n</html>\n",
        details_section(details),
        reviews_section(reviews),
    )
}

fn details_section(available: bool) -> String {
    if !available {
        return "<h4 class=\"text-3xl font-semibold\">Book Details</h4>\n\
                <p class=\"text-2xl text-red-500\">Error fetching product details</p>\n\
                <p class=\"text-lg text-gray-600\">Sorry, product details are currently unavailable for this book.</p>\n"
            .to_string();
    }
    let rows = super::bookinfo_book::DETAILS
        .iter()
        .map(|(label, _, value)| format!("<dt>{label}</dt><dd>{value}</dd>"))
        .collect::<Vec<_>>()
        .join("\n");
    format!("<h4 class=\"text-3xl font-semibold\">Book Details</h4>\n<dl>\n{rows}\n</dl>\n")
}

fn reviews_section(reviews: &Reviews) -> String {
    let (version, pod, ratings) = match reviews {
        Reviews::Served {
            version,
            pod,
            ratings,
        } => (*version, *pod, *ratings),
        Reviews::Unavailable => {
            return "<h4 class=\"text-3xl font-semibold\">Book Reviews</h4>\n\
                    <p class=\"text-2xl text-red-500\">Error fetching product reviews</p>\n\
                    <p class=\"text-lg text-gray-600\">Sorry, product reviews are currently unavailable for this book.</p>\n"
                .to_string();
        }
    };
    // v1 never calls ratings; v2 shows black stars and v3 red ones, as Bookinfo does.
    let colour = match version {
        "v2" => Some("black"),
        "v3" => Some("red-500"),
        _ => None,
    };
    let mut html = String::from("<h4 class=\"text-3xl font-semibold\">Book Reviews</h4>\n");
    for (reviewer, stars, text) in super::bookinfo_book::REVIEWS {
        html.push_str("<section class=\"review\">\n");
        match colour {
            Some(colour) if ratings => html.push_str(&format!(
                "<div class=\"flex gap-x-1 text-{colour}\">{}</div>\n",
                star_row(stars)
            )),
            Some(_) => html.push_str(
                "<p class=\"text-red-500\">Ratings service is currently unavailable</p>\n",
            ),
            None => {}
        }
        html.push_str(&format!(
            "<blockquote><p>\"{text}\"</p></blockquote>\n\
             <div class=\"font-semibold text-gray-900\">{reviewer}</div>\n\
             <div class=\"text-gray-600 font-mono\">Reviews served by: \n  {pod}\n</div>\n</section>\n"
        ));
    }
    html
}

/// `filled` solid stars, then outlined ones up to five.
fn star_row(filled: u8) -> String {
    (0..5)
        .map(|n| {
            let fill = if n < filled {
                "fill=\"currentColor\""
            } else {
                "fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.2\""
            };
            format!(
                "<svg class=\"h-5 w-5 flex-none\" viewBox=\"0 0 20 20\" {fill} aria-hidden=\"true\"><path d=\"{STAR_PATH}\"/></svg>"
            )
        })
        .collect()
}
