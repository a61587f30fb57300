//! awsJson1_1 (ECR, FSx): POST `/` with `X-Amz-Target: <target>.<Operation>` and
//! `Content-Type: application/x-amz-json-1.1`, the input and the answer as JSON objects.

use super::{malformed, paginate, ApiError, CallError, JsonApi, Request};
use crate::deploy::{aws::patiently, Timing};
use aws_smithy_runtime_api::http::Headers;
use serde_json::Value as Json;

impl JsonApi {
    /// One call: `operation` with `input` (a JSON object in the API reference's member names);
    /// the answer's JSON on success. An answer that is not JSON is a response error.
    pub async fn json(&self, operation: &'static str, input: &Json) -> Result<Json, CallError> {
        let target = self.service.protocol.target;
        let request = Request {
            headers: vec![
                ("content-type", "application/x-amz-json-1.1".to_string()),
                ("x-amz-target", format!("{target}.{operation}")),
            ],
            body: input.to_string(),
        };
        self.send(operation, request, |text| {
            // An empty answer is an empty object (awsJson1_1 allows it for no output).
            if text.trim().is_empty() {
                return Ok(Json::Object(Default::default()));
            }
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))
        })
        .await
    }

    /// Every item of the list `list` of a paginated call, reading pages until the answer has
    /// no `token` (the member's name, `NextToken` in FSx, `nextToken` in ECR), which is sent
    /// back under the same name. Each page is retried while the service throttles
    /// (`aws::patiently`), so a throttle on a later page does not read the earlier ones again.
    pub async fn json_list_all(
        &self,
        timing: &Timing,
        operation: &'static str,
        input: &Json,
        list: &str,
        token: &str,
    ) -> Result<Vec<Json>, CallError> {
        paginate(|next| async move {
            let mut input = input.clone();
            if let (Some(next), Some(fields)) = (next, input.as_object_mut()) {
                fields.insert(token.to_string(), Json::String(next));
            }
            let mut answer = patiently(timing, || self.json(operation, &input)).await?;
            let items = match answer.get_mut(list).map(Json::take) {
                Some(Json::Array(items)) => items,
                None | Some(Json::Null) => Vec::new(),
                Some(other) => return Err(malformed(&format!("{list} is not a list: {other}"))),
            };
            let next = answer.get(token).and_then(Json::as_str).map(str::to_string);
            Ok((items, next))
        })
        .await
    }
}

/// An awsJson1_1 error answer: the code from the `X-Amzn-ErrorType` header, else the body's
/// `code`, else its `__type`, without a namespace (`com.amazonaws.ecr#`) or a trailing `:URL`;
/// the message from `message` (or `Message`, `errorMessage`).
pub(super) fn error_of(headers: &Headers, body: &str) -> ApiError {
    let fields = serde_json::from_str::<Json>(body).unwrap_or(Json::Null);
    let text = |key: &str| fields.get(key).and_then(Json::as_str);
    let code = headers
        .get("x-amzn-errortype")
        .or_else(|| text("code"))
        .or_else(|| text("__type"))
        .map(bare_code);
    let message = text("message")
        .or_else(|| text("Message"))
        .or_else(|| text("errorMessage"));
    ApiError::new(code, message)
}

/// `aws.protocoltests#FooError:http://internal.amazon.com/...` -> `FooError`.
fn bare_code(code: &str) -> &str {
    let code = code.split(':').next().unwrap_or(code);
    code.rsplit('#').next().unwrap_or(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::error::metadata::ProvideErrorMetadata;

    #[test]
    fn error_codes_are_read_from_the_header_or_the_body_without_namespace_or_url() {
        let none = Headers::new();
        let e = error_of(
            &none,
            r#"{"__type":"RepositoryNotFoundException","message":"The repository with name 'x' does not exist in the registry with id '123456789012'"}"#,
        );
        assert_eq!(e.code(), Some("RepositoryNotFoundException"));
        assert_eq!(
            e.message(),
            Some("The repository with name 'x' does not exist in the registry with id '123456789012'")
        );
        let e = error_of(
            &none,
            r#"{"__type":"com.amazonaws.fsx#FileSystemNotFound:http://internal/","Message":"File system 'fs-1' does not exist."}"#,
        );
        assert_eq!(e.code(), Some("FileSystemNotFound"));
        assert_eq!(e.message(), Some("File system 'fs-1' does not exist."));
        let mut headers = Headers::new();
        headers.insert("x-amzn-errortype", "ThrottlingException:http://x/");
        let e = error_of(&headers, r#"{"__type":"Other","code":"AlsoOther"}"#);
        assert_eq!(e.code(), Some("ThrottlingException"));
        assert_eq!(
            error_of(&none, r#"{"code":"A","__type":"B"}"#).code(),
            Some("A")
        );
        // Not JSON (a proxy's page): no code, no message; the status tells.
        let e = error_of(&none, "<html>502 Bad Gateway</html>");
        assert_eq!((e.code(), e.message()), (None, None));
    }
}
