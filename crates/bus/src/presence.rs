//! The presence keys gateways maintain and the account service reads.

use pintalk_core::ids::{RoomId, SiteId};

/// The presence set of an owner's sockets for a site.
pub fn owner_key(site: SiteId) -> String {
    format!("owner:{site}")
}

/// The presence set of a visitor's sockets in their room.
pub fn visitor_key(room: RoomId) -> String {
    format!("visitor:{room}")
}
