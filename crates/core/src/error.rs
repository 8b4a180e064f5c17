//! The stable error codes of PinTalk's HTTP API (and, with the realtime issue, of the
//! WebSocket protocol). A code is a contract with clients: once shipped it keeps its
//! spelling; add new codes rather than repurposing old ones.

use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal,)*) => {
        /// A stable, snake_case error code, as sent in `{"error": "<code>", ...}`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, for documentation and for the test that each one is used.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it appears on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }
        }
    };
}

error_codes! {
    // Malformed requests.
    /// The body is not valid JSON, has a wrong type, misses a field or has an unknown one.
    InvalidJson = "invalid_json",
    /// The body is larger than the configured limit (64 KiB).
    PayloadTooLarge = "payload_too_large",
    /// The body is not `application/json`.
    UnsupportedMediaType = "unsupported_media_type",
    /// A query string parameter is missing or malformed.
    InvalidQuery = "invalid_query",
    /// A path segment that should be an id is not one.
    InvalidId = "invalid_id",
    /// A field is well-formed JSON but its value is out of bounds or invalid.
    InvalidField = "invalid_field",
    /// The email address is not a valid address.
    InvalidEmail = "invalid_email",
    /// The password is shorter than 8 bytes.
    PasswordTooShort = "password_too_short",
    /// The password is longer than 72 bytes (bcrypt's limit; never silently truncated).
    PasswordTooLong = "password_too_long",
    /// The new password is the current one: nothing would change, yet every other
    /// device would be signed out.
    PasswordUnchanged = "password_unchanged",
    /// An allowed origin is not an exact `scheme://host[:port]`.
    InvalidOrigin = "invalid_origin",
    /// A webhook URL is not an absolute `http(s)://` URL of at most 2000 bytes, without
    /// user info or fragment.
    InvalidWebhookUrl = "invalid_webhook_url",
    /// A webhook URL names a private, loopback, link-local or otherwise internal address
    /// (unless `webhooks.allow_private_targets`).
    WebhookTargetRefused = "webhook_target_refused",
    /// No such resource, or it belongs to someone else.
    NotFound = "not_found",
    /// The path exists but not with this method.
    MethodNotAllowed = "method_not_allowed",

    // Identity.
    /// No bearer token was presented.
    MissingToken = "missing_token",
    /// The token is malformed, forged, of another audience, expired or revoked.
    InvalidToken = "invalid_token",
    /// Email and password do not match an account.
    InvalidCredentials = "invalid_credentials",
    /// The current password given to change it is wrong.
    WrongPassword = "wrong_password",
    /// An account with this email already exists.
    EmailTaken = "email_taken",
    /// Something is to be mailed to a visitor who left no email address.
    EmailMissing = "email_missing",
    /// The new email is the account's current one: there is nothing to confirm.
    EmailUnchanged = "email_unchanged",
    /// The email is already verified: no verification mail is sent.
    EmailAlreadyVerified = "email_already_verified",
    /// The refresh token is unknown, expired or revoked.
    InvalidRefreshToken = "invalid_refresh_token",
    /// The refresh token was already rotated: its whole session is now revoked.
    RefreshTokenReused = "refresh_token_reused",
    /// The verification or reset token is unknown, used or expired.
    InvalidOneTimeToken = "invalid_one_time_token",
    /// The link from a mail that reopens a visitor's chat is forged or expired, or its
    /// conversation is gone.
    InvalidReopenLink = "invalid_reopen_link",

    /// The API token's scope does not cover this request (a `read` token asked to write).
    InsufficientScope = "insufficient_scope",
    /// This endpoint takes an owner's access token, not an API token (managing tokens,
    /// the account, sites).
    ApiTokenNotAllowed = "api_token_not_allowed",
    /// The owner has as many API tokens as allowed; revoke one first.
    ApiTokensFull = "api_tokens_full",

    // Canned replies.
    /// Another of the owner's canned replies has this shortcut.
    CannedReplyShortcutTaken = "canned_reply_shortcut_taken",
    /// The owner has as many canned replies as allowed; delete one first.
    CannedRepliesFull = "canned_replies_full",

    // Workspaces.
    /// The caller's role in the workspace does not allow this (an agent managing sites or
    /// members, an admin transferring ownership).
    RoleNotAllowed = "role_not_allowed",
    /// The invitation link is unknown, used, revoked or expired.
    InvalidInvitation = "invalid_invitation",
    /// The account is already a member of this workspace.
    AlreadyMember = "already_member",
    /// The workspace's owner cannot be removed, demoted or leave; transfer ownership first.
    OwnerRequired = "owner_required",
    /// The account owns a workspace that has other members: transfer it or remove them
    /// before deleting the account.
    WorkspaceHasMembers = "workspace_has_members",
    /// The workspace has as many members and pending invitations as allowed.
    MembersFull = "members_full",

    // Ratings.
    /// Only a closed conversation is rated; this one is open.
    ConversationOpen = "conversation_open",

    // Web Push.
    /// The push subscription's endpoint is not an https URL of at most 1024 characters, or
    /// its keys are not a P-256 public key and a 16-byte secret, base64url.
    InvalidPushSubscription = "invalid_push_subscription",
    /// The owner has as many subscribed browsers as allowed; delete one first.
    PushSubscriptionsFull = "push_subscriptions_full",
    /// This server has no VAPID key (`push.vapid_key`), so it cannot push.
    PushDisabled = "push_disabled",

    // Abuse limits.
    /// Too many requests of this kind from this address or for this account.
    TooManyRequests = "too_many_requests",
    /// Too many failed logins: wait `Retry-After` seconds before the next attempt.
    LoginThrottled = "login_throttled",

    // Widget.
    /// The request's Origin is not on the site's allow-list.
    OriginNotAllowed = "origin_not_allowed",
    /// The site's owner has not verified their email yet, so its widget is not live.
    SiteNotLive = "site_not_live",
    /// The site banned the visitor's IP address or network: no widget, no session.
    IpBanned = "ip_banned",
    /// The site holds as many IP bans as allowed (`limits.bans_per_site`); delete one.
    BansFull = "bans_full",
    /// `user_hash` is not HMAC-SHA256(the site's identity secret, `user_id`) in hex, or
    /// the site has no identity secret.
    InvalidUserHash = "invalid_user_hash",
    /// The site requires verified visitors: `user_id` needs a valid `user_hash`, and (unless
    /// the site allows it) a visitor who does not identify cannot chat.
    IdentityRequired = "identity_required",
    /// The site has no identity secret yet: generate one first.
    IdentityNotSetUp = "identity_not_set_up",

    // Realtime (WebSocket frames; see docs/protocol.md).
    /// The frame is not valid JSON, has an unknown `type`, or misses or mistypes a field.
    BadFrame = "bad_frame",
    /// `auth` was sent twice on one socket.
    AlreadyAuthenticated = "already_authenticated",
    /// The socket's grant does not cover this room.
    RoomNotGranted = "room_not_granted",
    /// The message body is empty or longer than the limit.
    BodyTooLong = "body_too_long",
    /// The `cid` is not 1 to 64 of `[A-Za-z0-9_-]`.
    InvalidCid = "invalid_cid",
    /// Only members write internal notes; a visitor's `send` (or typing) with `note` is
    /// refused.
    NoteNotAllowed = "note_not_allowed",
    /// Frames came faster than the connection's rate; this one was dropped. Retriable.
    RateLimited = "rate_limited",
    /// The room's sequence is being restored; retry shortly.
    RoomNotReady = "room_not_ready",
    /// Too many messages wait to be stored; retry shortly.
    BacklogFull = "backlog_full",
    /// The gateway is at its bound of sends in progress; retry shortly (same `cid`).
    Overloaded = "overloaded",
    /// The visitor was blocked by the site's owner.
    VisitorBlocked = "visitor_blocked",
    /// The owner's session ended (logout, password change); log in again.
    SessionRevoked = "session_revoked",
    /// The member's access changed (removed from a workspace, a site taken from them):
    /// the socket closes; fetch a new ticket, which grants what they may see now.
    AccessChanged = "access_changed",
    /// The conversation was deleted under its site's retention; start a new session.
    ConversationExpired = "conversation_expired",
    /// The visitor's data was erased at the site owner's request; start afresh.
    VisitorErased = "visitor_erased",

    // Server side.
    /// A dependency (database, Redis) is unreachable.
    Unavailable = "unavailable",
    /// Something went wrong on our side; the response's `x-request-id` finds it in the logs.
    Internal = "internal",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_spelling_equals_as_str_for_every_code() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, serde_json::Value::String(code.as_str().to_owned()));
        }
    }
}
