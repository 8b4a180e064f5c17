//! Rows as diesel reads and writes them. Ids are typed; times are UTC milliseconds.

use diesel::prelude::*;
use pintalk_core::api_token::ApiScope;
use pintalk_core::availability::{EmailField, ReplyTime, StoredHours};
pub use pintalk_core::domain::TokenPurpose;
use pintalk_core::domain::{AllowedOrigins, Language, WidgetPosition};
use pintalk_core::domain::{Recipient, Role};
use pintalk_core::ids::{
    ApiTokenId, CannedReplyId, DeliveryId, InvitationId, MessageId, OwnerId, PushSubscriptionId,
    RoomId, SessionId, SiteId, VisitorId, WebhookId, WorkspaceId,
};
use pintalk_core::protocol::{ParticipantKind, RoomStatus};
use pintalk_core::webhook::{DeliveryStatus, WebhookEvent, WebhookEvents};

use crate::schema::{
    api_tokens, messages, notifications_due, one_time_tokens, owners, push_subscriptions,
    refresh_tokens, rooms, sessions, sites, visitors, webhook_deliveries, webhooks,
};

/// A site owner's account.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = owners)]
pub struct Owner {
    pub id: OwnerId,
    /// Normalised: trimmed and lower-cased, so one address has one account.
    pub email: String,
    pub password_hash: String,
    pub name: String,
    pub company: Option<String>,
    pub avatar_url: Option<String>,
    /// Until set, the owner's widgets are not live.
    pub email_verified_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
    /// The dashboard's language for this owner.
    pub language: Language,
}

/// A change to an owner's profile; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = owners)]
pub struct ProfileChange {
    pub name: Option<String>,
    pub company: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
    pub language: Option<Language>,
    pub updated_at: i64,
}

/// One login of an owner: the family of its rotating refresh tokens.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: SessionId,
    pub owner_id: OwnerId,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

/// A refresh token, stored as its hash; `used_at` marks it rotated.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    pub token_hash: String,
    pub session_id: SessionId,
    pub created_at: i64,
    pub used_at: Option<i64>,
}

/// A single-use emailed token, stored as its hash.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = one_time_tokens)]
pub struct OneTimeToken {
    pub token_hash: String,
    pub owner_id: OwnerId,
    pub purpose: TokenPurpose,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    /// For [`TokenPurpose::ChangeEmail`]: the normalised address the link was mailed to.
    pub new_email: Option<String>,
}

/// A website registered by an owner, with its widget's settings.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = sites)]
pub struct Site {
    pub id: SiteId,
    pub owner_id: OwnerId,
    pub name: String,
    /// The public key the widget carries; rotating it disables old embeds.
    pub site_key: String,
    pub allowed_origins: AllowedOrigins,
    pub title: String,
    pub greeting: String,
    pub accent_color: String,
    pub position: WidgetPosition,
    pub language: Language,
    pub away_message: String,
    pub show_owner_status: bool,
    pub created_at: i64,
    pub updated_at: i64,
    /// `None`: always within its hours.
    pub business_hours: Option<StoredHours>,
    pub email_field: EmailField,
    pub reply_time: ReplyTime,
    /// The workspace it belongs to. (`owner_id` is that workspace owner's account, kept in
    /// step when ownership moves: an account's deletion takes the sites it owns.)
    pub workspace_id: WorkspaceId,
}

/// A change to a site; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = sites)]
pub struct SiteChange {
    pub name: Option<String>,
    pub allowed_origins: Option<AllowedOrigins>,
    pub title: Option<String>,
    pub greeting: Option<String>,
    pub accent_color: Option<String>,
    pub position: Option<WidgetPosition>,
    pub language: Option<Language>,
    pub away_message: Option<String>,
    pub show_owner_status: Option<bool>,
    /// `Some(None)` clears the hours.
    pub business_hours: Option<Option<StoredHours>>,
    pub email_field: Option<EmailField>,
    pub reply_time: Option<ReplyTime>,
    pub site_key: Option<String>,
    pub updated_at: i64,
}

/// A visitor of a site, remembered by the hash of the secret their browser keeps.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = visitors)]
pub struct Visitor {
    pub id: VisitorId,
    pub site_id: SiteId,
    pub secret_hash: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// Set when the owner blocked them: sockets close, new sessions are refused.
    pub blocked_at: Option<i64>,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// A conversation between a site's owner and one visitor.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = rooms)]
pub struct Room {
    pub id: RoomId,
    pub site_id: SiteId,
    pub visitor_id: VisitorId,
    pub status: RoomStatus,
    /// The highest seq persisted in `messages`.
    pub last_seq: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
    /// Who the conversation is assigned to (today only the site's owner; issue 12 adds
    /// members); `None`: nobody.
    pub assignee: Option<OwnerId>,
}

/// A persisted chat message; `(room_id, seq)` is unique.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = messages)]
pub struct StoredMessage {
    pub id: MessageId,
    pub room_id: RoomId,
    pub seq: i64,
    pub cid: String,
    pub sender_kind: ParticipantKind,
    pub sender_id: String,
    pub body: String,
    pub created_at: i64,
    /// An internal note: members only (see `pintalk_core::protocol::Message::note`).
    pub note: bool,
}

/// A room's place in the schedule of unread-conversation mails (see `notifications`).
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications_due)]
pub struct DueNotification {
    pub room_id: RoomId,
    /// Who is told, and how: the site's owner by mail or push (of visitor messages), or
    /// the visitor by mail (of the owner's).
    pub recipient: Recipient,
    /// The owner of the room's site: the unit of a claim.
    pub owner_id: OwnerId,
    pub due_at: i64,
    /// The highest seq a mail told of (0 before the first): never told twice.
    pub notified_seq: i64,
    pub claimed_by: Option<String>,
    pub claimed_until: i64,
    pub created_at: i64,
    /// The highest seq of a message it was scheduled for: a row is ended only while this
    /// is at most what was told of.
    pub latest_seq: i64,
}

/// A browser an owner subscribed to Web Push: where its push service takes pushes, and
/// the keys a push is encrypted for (RFC 8291), both base64url as the browser gave them.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = push_subscriptions)]
pub struct PushSubscription {
    pub id: PushSubscriptionId,
    pub owner_id: OwnerId,
    pub endpoint: String,
    /// The browser's P-256 public key, uncompressed.
    pub p256dh: String,
    /// The browser's 16-byte authentication secret.
    pub auth: String,
    pub created_at: i64,
}

/// A site's webhook endpoint.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhooks)]
pub struct Webhook {
    pub id: WebhookId,
    pub site_id: SiteId,
    /// Checked when set: absolute `http(s)://`, bounded; its address is checked again at
    /// every delivery.
    pub url: String,
    pub events: WebhookEvents,
    /// Signs every delivery (`PinTalk-Signature`); shown to the owner once.
    pub secret: String,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A change to an endpoint; `None` leaves a field as it is.
#[derive(Clone, Debug, Default, AsChangeset)]
#[diesel(table_name = webhooks)]
pub struct WebhookChange {
    pub url: Option<String>,
    pub events: Option<WebhookEvents>,
    pub enabled: Option<bool>,
    pub updated_at: i64,
}

/// One event queued for one endpoint (see `webhooks`): its body as it is sent, and how its
/// attempts went.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    pub id: DeliveryId,
    pub webhook_id: WebhookId,
    /// The event's stable id, the same for every endpoint and attempt: the receiver's
    /// de-duplication key.
    pub event_id: String,
    pub event: WebhookEvent,
    /// The JSON body, fixed when the event happened, so a retry sends the same bytes.
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i64,
    /// When the next attempt is due (while pending).
    pub next_at: i64,
    /// Past this, a failed attempt marks the delivery failed instead of retrying.
    pub give_up_at: i64,
    pub claimed_by: Option<String>,
    pub claimed_until: i64,
    pub last_attempt_at: Option<i64>,
    /// The HTTP status of the last answer, if there was one.
    pub last_status: Option<i64>,
    /// Why the last attempt failed, if it did.
    pub last_error: Option<String>,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

/// A site's ban of an IP address or network (see `bans`).
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::site_bans)]
pub struct SiteBan {
    pub id: pintalk_core::ids::BanId,
    pub site_id: SiteId,
    /// Canonical text, `203.0.113.0/24` or `2001:db8::/64`.
    pub network: String,
    /// The network's first and last address as `network::address_key`s.
    pub first_key: String,
    pub last_key: String,
    /// The owner's reminder of why.
    pub note: Option<String>,
    /// After this the ban no longer applies; `None`: until deleted.
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

/// A site's own abuse limits; `None` takes the global default (`limits.*`).
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = crate::schema::site_limits, treat_none_as_null = true)]
pub struct SiteLimits {
    pub site_id: SiteId,
    pub sessions_per_ip: Option<i64>,
    pub conversations_per_ip: Option<i64>,
    pub messages_per_minute: Option<i64>,
    pub updated_at: i64,
}

/// A workspace API token; only its hash is kept. `owner_id` is the member who made it:
/// it ends with their membership.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub owner_id: OwnerId,
    /// What the owner called it ("Zapier", "support bot").
    pub name: String,
    pub scope: ApiScope,
    /// SHA-256 of the token, lowercase hex.
    pub token_hash: String,
    pub created_at: i64,
    /// When it last authenticated a request, to the minute.
    pub last_used_at: Option<i64>,
    pub workspace_id: WorkspaceId,
}

/// A saved answer of a workspace; `owner_id` is the member who wrote it.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::canned_replies)]
pub struct CannedReply {
    pub id: CannedReplyId,
    pub owner_id: OwnerId,
    /// `^[a-z0-9_-]{1,32}$`, unique per workspace: typed as `/shortcut` in the composer.
    pub shortcut: String,
    pub title: Option<String>,
    /// Up to 4000 characters, with `{visitor.name}`-style variables the dashboard expands.
    pub body: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub workspace_id: WorkspaceId,
}

/// A team that owns sites.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::workspaces)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub name: String,
    pub created_at: i64,
}

/// An account's membership of a workspace.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::members)]
pub struct Member {
    pub workspace_id: WorkspaceId,
    pub owner_id: OwnerId,
    pub role: Role,
    /// Every site of the workspace, now and later; else only those in `member_sites`.
    pub all_sites: bool,
    pub created_at: i64,
}

/// An invitation to join a workspace; only the token's hash is kept.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::invitations)]
pub struct Invitation {
    pub id: InvitationId,
    pub workspace_id: WorkspaceId,
    /// Where the link was mailed (normalised): shown in the pending list. Whoever holds
    /// the link may accept it, signed in to any account.
    pub email: String,
    pub role: Role,
    pub token_hash: String,
    pub invited_by: Option<OwnerId>,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A site's identity verification: the secret its server signs user ids with, and
/// whether visitors must be verified.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::site_identities)]
pub struct SiteIdentity {
    pub site_id: SiteId,
    /// `HMAC-SHA256(secret, user_id)` is a user's `user_hash`; kept in clear, since the
    /// server computes it at every identify. Shown to the owner once.
    pub secret: String,
    /// An identify without a valid `user_hash` is refused.
    pub verification_required: bool,
    /// With `verification_required`: a visitor who does not identify may still chat,
    /// unverified.
    pub anonymous_allowed: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A visitor the site's server vouched for: the one visitor of `user_id` on the site.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::verified_visitors)]
pub struct VerifiedVisitor {
    pub visitor_id: VisitorId,
    pub site_id: SiteId,
    pub user_id: String,
    pub verified_at: i64,
}
