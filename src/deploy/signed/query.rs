//! EC2's Query protocol: `Action`, `Version` and the parameters form-encoded, answers and errors
//! in XML.

use super::{paginate, ApiError, CallError, QueryApi, Request};
use indexmap::IndexMap;

/// One item of a list in an EC2 answer: the fields asked for, by their XML name.
pub type Item = IndexMap<&'static str, String>;

/// A page of a list: its items and the token of the next page.
#[derive(Debug, Default)]
pub struct Page {
    pub items: Vec<Item>,
    pub next_token: Option<String>,
}

impl QueryApi {
    /// One Query call: `action` with `params` (Query names such as `Filter.1.Name`); the items
    /// of the answer's list `list` (its XML name, `availabilityZoneInfo`) with their `fields`,
    /// read in the deserializer: an answer that is not that XML is a response error, as the
    /// SDK reports one.
    pub async fn query(
        &self,
        action: &'static str,
        params: &[(String, String)],
        list: &'static str,
        fields: &'static [&'static str],
    ) -> Result<Page, CallError> {
        let mut body = String::new();
        let version = self.service.protocol.version;
        let mut writer = aws_smithy_query::QueryWriter::new(&mut body, action, version);
        for (name, value) in params {
            writer.prefix(name).string(value);
        }
        writer.finish();
        let request = Request {
            headers: vec![(
                "content-type",
                "application/x-www-form-urlencoded; charset=utf-8".to_string(),
            )],
            body,
        };
        self.send(action, request, move |text| read_list(text, list, fields))
            .await
    }

    /// Every page of a paginated list call ([`Self::query`]'s `list` and `fields`).
    /// `MaxResults` and `NextToken` are added; EC2 may return fewer items than asked per page,
    /// so pages are read until there is no token.
    pub async fn query_list_all(
        &self,
        action: &'static str,
        params: &[(String, String)],
        list: &'static str,
        fields: &'static [&'static str],
    ) -> Result<Vec<Item>, CallError> {
        paginate(|token| async move {
            let mut page_params = params.to_vec();
            page_params.push(("MaxResults".into(), "1000".into()));
            if let Some(t) = token {
                page_params.push(("NextToken".into(), t));
            }
            let page = self.query(action, &page_params, list, fields).await?;
            Ok((page.items, page.next_token))
        })
        .await
    }
}

/// EC2's error answer: `<Response><Errors><Error><Code/><Message/></Error></Errors>...`.
pub(super) fn error_of(body: &str) -> ApiError {
    let page = read_list(body, "Errors", &["Code", "Message"]).unwrap_or_default();
    let first = page.items.first();
    ApiError::new(
        first.and_then(|e| e.get("Code")).map(String::as_str),
        first.and_then(|e| e.get("Message")).map(String::as_str),
    )
}

/// The items of the list `list` directly under the answer's root (each `<item>` or, for
/// `Errors`, each `<Error>`), keeping `fields` (leaf elements of each item; nested ones are
/// skipped), and the root's `nextToken`.
pub fn read_list(body: &str, list: &str, fields: &[&'static str]) -> Result<Page, String> {
    use aws_smithy_xml::decode::{try_data, Document};
    let mut doc = Document::new(body);
    let mut root = doc.root_element().map_err(|e| e.to_string())?;
    let mut page = Page::default();
    while let Some(mut tag) = root.next_tag() {
        if tag.start_el().local() == "nextToken" {
            page.next_token = Some(try_data(&mut tag).map_err(|e| e.to_string())?.into_owned());
        } else if tag.start_el().local() == list {
            while let Some(mut item) = tag.next_tag() {
                let mut kept = Item::new();
                while let Some(mut field) = item.next_tag() {
                    let name = field.start_el().local().to_string();
                    if let Some(f) = fields.iter().find(|f| **f == name) {
                        let text = try_data(&mut field).map_err(|e| e.to_string())?;
                        kept.insert(f, text.into_owned());
                    }
                }
                page.items.push(kept);
            }
        }
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;

    #[test]
    fn lists_errors_and_tokens_are_read() {
        let body = r#"<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstanceTypeOfferingsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>1</requestId>
  <instanceTypeOfferingSet>
    <item><instanceType>g5.8xlarge</instanceType><locationType>availability-zone-id</locationType><location>use1-az1</location></item>
    <item><instanceType>p4d.24xlarge</instanceType><tagSet><item><key>k</key></item></tagSet><location>use1-az2</location></item>
  </instanceTypeOfferingSet>
  <nextToken>abc</nextToken>
</DescribeInstanceTypeOfferingsResponse>"#;
        let page = read_list(
            body,
            "instanceTypeOfferingSet",
            &["instanceType", "location"],
        )
        .unwrap();
        assert_eq!(page.next_token.as_deref(), Some("abc"));
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.items[1]["instanceType"], "p4d.24xlarge");
        assert_eq!(page.items[1]["location"], "use1-az2");
        assert!(!page.items[0].contains_key("locationType"));
        let error = error_of(
            r#"<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>x</RequestID></Response>"#,
        );
        assert_eq!(error.code(), Some("UnauthorizedOperation"));
        assert_eq!(
            error.to_string(),
            "UnauthorizedOperation: You are not authorized to perform this operation."
        );
        assert!(read_list("not xml", "x", &[]).is_err());
    }
}
