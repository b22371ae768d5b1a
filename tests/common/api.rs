//! Raw HTTP against a local cloud: status and JSON body, for asserting on
//! the API's own field names (never through our client's types).

use reqwest::StatusCode;
use serde_json::Value;

use super::LocalCloud;

/// Raw HTTP against one local cloud.
pub struct Api {
    http: reqwest::Client,
    url: String,
}

impl Api {
    pub fn new(cloud: &LocalCloud) -> Api {
        Api {
            http: reqwest::Client::new(),
            url: cloud.url.clone(),
        }
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.url));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        let response = request
            .send()
            .await
            .expect("request reaches the local cloud");
        let status = response.status();
        let text = response.text().await.expect("response body");
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{path} answered {status} with non-JSON {text:?}: {e}"));
        (status, value)
    }

    pub async fn get(&self, path: &str, key: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, Some(key), None).await
    }

    pub async fn post(&self, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
        let bytes = serde_json::to_vec(&body).unwrap();
        self.send(reqwest::Method::POST, path, Some(key), Some(bytes))
            .await
    }

    pub async fn put(&self, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
        let bytes = serde_json::to_vec(&body).unwrap();
        self.send(reqwest::Method::PUT, path, Some(key), Some(bytes))
            .await
    }

    pub async fn delete(&self, path: &str, key: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::DELETE, path, Some(key), None)
            .await
    }
}
