//! Reading an answer's body with a cap, so a broken or hostile server (an
//! endless chunked body, a huge declared length) cannot make the client
//! grow without bound.

use reqwest::Response;

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum BodyError {
    /// The server declared, or sent, more than the cap.
    TooLarge,
    /// The connection failed or timed out while reading.
    Read(reqwest::Error),
}

/// The whole body of `response`, at most `limit` bytes. A longer one is
/// refused as soon as that is known (from its declared length, or when
/// the bytes read pass the cap), never read to the end.
pub(crate) async fn read_capped(
    mut response: Response,
    limit: usize,
) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|length| length > limit as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
