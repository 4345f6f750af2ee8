//! The JSON Bookinfo's services answer: productpage's `/api/v1/products…`, and details',
//! reviews' and ratings' own paths, in the shapes (and key order) the real services send.

use serde_json::{Value, json};

/// `GET /api/v1/products`.
pub fn products() -> String {
    json!([{"id": 0, "title": "The Comedy of Errors", "descriptionHtml": super::bookinfo_book::SUMMARY}]).to_string()
}

/// details' `GET /details/{id}` and productpage's `GET /api/v1/products/{id}`.
pub fn details(id: u64) -> String {
    // Written by hand to keep details' key order (serde_json's map sorts keys).
    format!(
        "{{\"id\":{id},\"author\":\"William Shakespeare\",\"year\":1595,\"type\":\"paperback\",\
         \"pages\":200,\"publisher\":\"PublisherA\",\"language\":\"English\",\
         \"ISBN-10\":\"1234567890\",\"ISBN-13\":\"123-1234567890\"}}"
    )
}

/// reviews' `GET /reviews/{id}` (and productpage's `/api/v1/products/{id}/reviews`) as
/// `version` served by `pod` answers it: v1 without ratings, v2 black and v3 red stars;
/// `ratings` false when its call to ratings failed.
pub fn reviews(id: u64, version: &str, pod: &str, ratings: bool) -> String {
    let colour = match version {
        "v2" => Some("black"),
        "v3" => Some("red"),
        _ => None,
    };
    let reviews: Vec<Value> = super::bookinfo_book::REVIEWS
        .iter()
        .map(|(reviewer, stars, text)| {
            let mut review = json!({"reviewer": reviewer, "text": text});
            if let Some(colour) = colour {
                review["rating"] = if ratings {
                    json!({"stars": stars, "color": colour})
                } else {
                    json!({"error": "Ratings service is currently unavailable"})
                };
            }
            review
        })
        .collect();
    json!({"id": id.to_string(), "podname": pod, "clustername": "null", "reviews": reviews})
        .to_string()
}

/// ratings' `GET /ratings/{id}` (and productpage's `/api/v1/products/{id}/ratings`).
pub fn ratings(id: u64) -> String {
    json!({"id": id, "ratings": {"Reviewer1": 5, "Reviewer2": 4}}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shapes_are_bookinfo_s() {
        let products: Value = serde_json::from_str(&products()).unwrap();
        assert_eq!(products[0]["title"], "The Comedy of Errors");
        let details: Value = serde_json::from_str(&details(0)).unwrap();
        assert_eq!(details["ISBN-13"], "123-1234567890");
        assert_eq!(details["pages"], 200);
        let v1: Value = serde_json::from_str(&reviews(0, "v1", "reviews-v1-a", true)).unwrap();
        assert!(v1["reviews"][0].get("rating").is_none());
        let v3: Value = serde_json::from_str(&reviews(0, "v3", "reviews-v3-a", true)).unwrap();
        assert_eq!(v3["reviews"][1]["rating"]["color"], "red");
        assert_eq!(v3["podname"], "reviews-v3-a");
        let ratings: Value = serde_json::from_str(&ratings(0)).unwrap();
        assert_eq!(ratings["ratings"]["Reviewer2"], 4);
    }
}
