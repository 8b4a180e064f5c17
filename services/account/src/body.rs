//! Request bodies. Every body is a JSON object: serde would also fill a struct from a JSON
//! array (`["a@b.co", "secret"]`), which the API does not document and must refuse.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use pintalk_core::ErrorCode;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// A JSON object body deserialised into `T`; size, content type and syntax errors come
/// from `web::JsonConfig` (our error body), anything else is `invalid_json`.
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let object = web::Json::<Map<String, Value>>::from_request(req, payload);
        Box::pin(async move {
            let web::Json(object) = object.await?;
            serde_json::from_value(Value::Object(object))
                .map(Json)
                .map_err(|e| ApiError::new(ErrorCode::InvalidJson, e.to_string()).into())
        })
    }
}
