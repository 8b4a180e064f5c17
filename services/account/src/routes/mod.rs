//! The route table: every endpoint of the HTTP API, in one place.

pub mod api_tokens;
pub mod assets;
pub mod auth;
pub mod bans;
pub mod canned_replies;
pub mod health;
pub mod limits;
pub mod me;
pub mod notifications;
pub mod realtime;
pub mod rooms;
pub mod sites;
pub mod webhooks;
pub mod widget;
pub mod workspaces;

use actix_web::web;
use serde::{Deserialize, Deserializer};

/// The one route table: each entry mounts a resource (so a wrong method is a 405, not a
/// 404) and lists its handlers in the OpenAPI document, so neither can drift from the
/// other. `+ method handler` adds a route the document leaves out (CORS preflights).
macro_rules! route_table {
    ($(
        $path:literal => [
            $($method:ident $($handler:ident)::+),+
            $(; + $extra_method:ident $($extra:ident)::+)*
        ]
    ),* $(,)?) => {
        /// Mounts every route of the table.
        fn mount(cfg: &mut web::ServiceConfig) {
            $(
                cfg.service(
                    web::resource($path)
                        $(.route(web::$method().to($($handler)::+)))+
                        $(.route(web::method(extra_method(stringify!($extra_method))).to($($extra)::+)))*
                );
            )*
        }

        /// Every documented (path, method) of the table, for the test that the document
        /// and the routes agree.
        #[cfg(test)]
        pub const DOCUMENTED: &[(&str, &str)] = &[$($(($path, stringify!($method))),+),*];

        /// The OpenAPI document's operations: exactly the table's handlers.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($($($handler)::+),+),*))]
        pub struct Operations;
    };
}

fn extra_method(name: &str) -> actix_web::http::Method {
    name.to_ascii_uppercase()
        .parse()
        .unwrap_or(actix_web::http::Method::OPTIONS)
}

route_table! {
    "/healthz" => [get health::healthz],
    "/readyz" => [get health::readyz],
    "/api/v1/auth/signup" => [post auth::signup::signup],
    "/api/v1/auth/email/verify" => [post auth::verify_email::verify_email],
    "/api/v1/auth/email/verify/resend" => [post auth::verify_resend::resend_verification],
    "/api/v1/auth/email/change" => [post auth::email_change::change_email],
    "/api/v1/auth/login" => [post auth::login::login],
    "/api/v1/auth/refresh" => [post auth::refresh::refresh],
    "/api/v1/auth/logout" => [post auth::logout::logout],
    "/api/v1/auth/logout-all" => [post auth::logout::logout_all],
    "/api/v1/auth/password/forgot" => [post auth::password_reset::forgot],
    "/api/v1/auth/password/reset" => [post auth::password_reset::reset],
    "/api/v1/auth/password/reset/check" => [post auth::reset_check::check_reset],
    "/api/v1/me" => [get me::get::get_me, patch me::update::update_me, delete me::delete::delete_me],
    "/api/v1/me/password" => [put me::password::change_password],
    "/api/v1/me/export" => [get me::export::export_workspace],
    "/api/v1/me/email" => [post me::email::request_email_change],
    "/api/v1/me/notifications" => [
        get me::notifications::get_notifications,
        put me::notifications::put_notifications
    ],
    "/api/v1/me/push" => [get me::push::get::get_push],
    "/api/v1/me/push/subscriptions" => [post me::push::subscribe::subscribe],
    "/api/v1/me/push/subscriptions/{id}" => [delete me::push::unsubscribe::unsubscribe],
    "/api/v1/notifications/unsubscribe" => [
        get notifications::unsubscribe::unsubscribe_page,
        post notifications::unsubscribe::unsubscribe
    ],
    "/api/v1/sites" => [get sites::list::list_sites, post sites::create::create_site],
    "/api/v1/sites/{id}" => [
        get sites::get::get_site,
        patch sites::update::update_site,
        delete sites::delete::delete_site
    ],
    "/api/v1/sites/{id}/key" => [post sites::rotate_key::rotate_key],
    "/api/v1/sites/{id}/identity" => [
        get sites::identity::get::get_identity,
        patch sites::identity::update::update_identity
    ],
    "/api/v1/sites/{id}/identity/secret" => [post sites::identity::rotate_secret::rotate_secret],
    "/api/v1/sites/{id}/rooms" => [get rooms::list::list_rooms],
    "/api/v1/sites/{id}/labels" => [get sites::labels::list_labels],
    "/api/v1/sites/{id}/ratings" => [get sites::ratings::site_ratings],
    "/api/v1/sites/{id}/blocked" => [get sites::blocked::list_blocked],
    "/api/v1/sites/{id}/retention" => [
        get sites::retention::get_retention,
        put sites::retention::put_retention
    ],
    "/api/v1/sites/{id}/webhooks" => [
        get webhooks::list::list_webhooks,
        post webhooks::create::create_webhook
    ],
    "/api/v1/sites/{id}/webhooks/{webhook}" => [
        patch webhooks::update::update_webhook,
        delete webhooks::delete::delete_webhook
    ],
    "/api/v1/sites/{id}/webhooks/{webhook}/deliveries" => [
        get webhooks::deliveries::list_deliveries
    ],
    "/api/v1/sites/{id}/webhooks/{webhook}/deliveries/{delivery}/redeliver" => [
        post webhooks::redeliver::redeliver
    ],
    "/api/v1/rooms/{id}" => [
        get rooms::get::get_room,
        patch rooms::update::update_room,
        delete rooms::delete::delete_room
    ],
    "/api/v1/rooms/{id}/messages" => [
        get rooms::messages::list_messages,
        post rooms::post::post_message;
        + options rooms::messages::messages_preflight
    ],
    "/api/v1/rooms/{id}/transcript" => [get rooms::transcript::transcript],
    "/api/v1/rooms/{id}/transcript/mail" => [
        post rooms::transcript_mail::mail_transcript;
        + options rooms::messages::messages_preflight
    ],
    "/api/v1/rooms/{id}/visitor/email" => [
        put rooms::visitor_email::set_visitor_email;
        + options rooms::messages::messages_preflight
    ],
    "/api/v1/rooms/{id}/assignee" => [put rooms::assign::assign_room],
    "/api/v1/rooms/{id}/labels" => [put rooms::labels::set_labels],
    "/api/v1/rooms/{id}/visitor/context" => [
        put rooms::visitor_context::report_context;
        + options rooms::messages::messages_preflight
    ],
    "/api/v1/rooms/{id}/rating" => [
        put rooms::rating::rate_room;
        + options rooms::messages::messages_preflight
    ],
    "/api/v1/rooms/{id}/visitor" => [delete rooms::visitor_erase::erase_visitor],
    "/api/v1/rooms/{id}/visitor/export" => [get rooms::visitor_export::export_visitor],
    "/api/v1/rooms/{id}/block" => [
        post rooms::block::block_visitor,
        delete rooms::unblock::unblock_visitor
    ],
    "/api/v1/workspaces" => [get workspaces::list::list_workspaces],
    "/api/v1/workspaces/{id}" => [
        patch workspaces::rename::rename_workspace,
        delete workspaces::delete::delete_workspace
    ],
    "/api/v1/workspaces/{id}/transfer" => [post workspaces::transfer::transfer_workspace],
    "/api/v1/workspaces/{id}/members" => [get workspaces::members::list_members],
    "/api/v1/workspaces/{id}/members/{member}" => [
        patch workspaces::member_update::update_member,
        delete workspaces::member_remove::remove_member
    ],
    "/api/v1/workspaces/{id}/invitations" => [
        get workspaces::invitations::list_invitations,
        post workspaces::invite::invite
    ],
    "/api/v1/workspaces/{id}/invitations/{invitation}" => [
        delete workspaces::revoke_invitation::revoke_invitation
    ],
    "/api/v1/invitations/lookup" => [post workspaces::invitation::lookup_invitation],
    "/api/v1/invitations/accept" => [post workspaces::accept::accept_invitation],
    "/api/v1/api-tokens" => [
        get api_tokens::list::list_api_tokens,
        post api_tokens::create::create_api_token
    ],
    "/api/v1/api-tokens/{id}" => [delete api_tokens::revoke::revoke_api_token],
    "/api/v1/canned-replies" => [
        get canned_replies::list::list_canned_replies,
        post canned_replies::create::create_canned_reply
    ],
    "/api/v1/canned-replies/{id}" => [
        patch canned_replies::update::update_canned_reply,
        delete canned_replies::delete::delete_canned_reply
    ],
    "/api/v1/realtime/token" => [post realtime::owner_token],
    "/api/v1/sites/{id}/bans" => [get bans::list::list_bans, post bans::create::create_ban],
    "/api/v1/sites/{id}/bans/{ban}" => [delete bans::delete::delete_ban],
    "/api/v1/sites/{id}/limits" => [get limits::get::get_limits, put limits::update::put_limits],
    "/api/v1/widget/sessions" => [post widget::start::start; + options widget::preflight::preflight],
    "/api/v1/widget/config" => [get widget::config::config; + options widget::preflight::preflight],
}

/// Mounts every route: the table, the widget script, the document itself, and a JSON 404
/// for anything else under `/api/v1`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/widget.js").get(assets::widget))
        .service(web::resource("/api/v1/openapi.json").get(crate::openapi::serve));
    mount(cfg);
    cfg.service(web::scope("/api/v1").default_service(web::to(crate::error::not_found)));
}

/// The query of a paged list: `cursor` from the previous page, `limit` 1 to 100.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// From a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1 to 100, default 50.
    pub limit: Option<i64>,
}

impl PageQuery {
    /// The page size asked for, checked.
    pub fn limit(&self) -> Result<i64, crate::error::ApiError> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=100).contains(&limit) {
            return Err(crate::error::ApiError::new(
                pintalk_core::ErrorCode::InvalidQuery,
                "limit must be 1 to 100",
            ));
        }
        Ok(limit)
    }
}

/// For PATCH bodies: tells "absent" (`None`) from "null" (`Some(None)`), so a client can
/// clear a nullable field.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}
