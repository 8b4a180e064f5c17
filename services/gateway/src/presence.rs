//! Presence: an owner is online for a site while any of their sockets to any gateway is
//! open; a visitor is online in their room likewise. Each socket is a member of a
//! presence set in the bus with a lease it renews every heartbeat, so a gateway that dies
//! stops counting within a few heartbeats. Going offline is announced only after a grace
//! period, so a page reload does not flap.

use std::sync::Arc;
use std::time::Duration;

use pintalk_bus::presence::{owner_key, visitor_key};
use pintalk_bus::{Bus, BusError, Topic};
use pintalk_core::ids::SiteId;
use pintalk_core::protocol::{ParticipantKind, ServerFrame};

use crate::identity::Identity;

pub struct Presence {
    bus: Arc<dyn Bus>,
    grace: Duration,
    /// How long a membership lasts unless renewed: as long as a socket may stay silent
    /// (`crate::silence_limit`), so renewals every heartbeat keep it and a dead gateway's
    /// sockets stop counting when they would have been closed.
    lease: Duration,
}

impl Presence {
    pub fn new(bus: Arc<dyn Bus>, grace: Duration, lease: Duration) -> Self {
        Self { bus, grace, lease }
    }

    fn memberships(identity: &Identity) -> Vec<(String, Vec<Topic>, ServerFrameFor)> {
        match identity {
            Identity::Owner { sites, .. } => sites
                .iter()
                .map(|&site| {
                    (
                        owner_key(site),
                        vec![Topic::Site(site), Topic::SiteVisitors(site)],
                        ServerFrameFor::Owner(site),
                    )
                })
                .collect(),
            Identity::Visitor { site, room, .. } => vec![(
                visitor_key(*room),
                vec![Topic::Room(*room), Topic::Site(*site)],
                ServerFrameFor::Visitor(*site, *room),
            )],
        }
    }

    /// The socket is here: join its sets and announce the ones it brought online.
    pub async fn arrive(&self, identity: &Identity, conn: &str) -> Result<(), BusError> {
        for (key, topics, frame) in Self::memberships(identity) {
            if self.bus.presence_join(&key, conn, self.lease).await? == 1 {
                self.bus
                    .publish(&topics, frame.frame(true).to_text().into())
                    .await?;
            }
        }
        Ok(())
    }

    /// Renews the socket's leases (every heartbeat).
    pub async fn renew(&self, identity: &Identity, conn: &str) -> Result<(), BusError> {
        for (key, _, _) in Self::memberships(identity) {
            self.bus.presence_join(&key, conn, self.lease).await?;
        }
        Ok(())
    }

    /// The socket left: after the grace period, announce the sets it left empty.
    pub fn depart(self: &Arc<Self>, identity: Identity, conn: String) {
        let presence = self.clone();
        tokio::spawn(async move {
            let mut emptied = Vec::new();
            for (key, topics, frame) in Self::memberships(&identity) {
                match presence.bus.presence_leave(&key, &conn).await {
                    Ok(0) => emptied.push((key, topics, frame)),
                    Ok(_) => {}
                    Err(e) => log::warn!("presence: leave failed: {e}"),
                }
            }
            if emptied.is_empty() {
                return;
            }
            tokio::time::sleep(presence.grace).await;
            for (key, topics, frame) in emptied {
                if matches!(presence.bus.presence_count(&key).await, Ok(0)) {
                    let text = frame.frame(false).to_text();
                    if let Err(e) = presence.bus.publish(&topics, text.into()).await {
                        log::warn!("presence: announce failed: {e}");
                    }
                }
            }
        });
    }

    /// Whether any owner socket is open for `site`.
    pub async fn owner_online(&self, site: SiteId) -> Result<bool, BusError> {
        Ok(self.bus.presence_count(&owner_key(site)).await? > 0)
    }
}

/// Which presence frame a membership announces.
#[derive(Clone, Copy)]
enum ServerFrameFor {
    Owner(SiteId),
    Visitor(SiteId, pintalk_core::ids::RoomId),
}

impl ServerFrameFor {
    fn frame(self, online: bool) -> ServerFrame {
        match self {
            ServerFrameFor::Owner(site) => ServerFrame::Presence {
                site,
                room: None,
                kind: ParticipantKind::Owner,
                online,
            },
            ServerFrameFor::Visitor(site, room) => ServerFrame::Presence {
                site,
                room: Some(room),
                kind: ParticipantKind::Visitor,
                online,
            },
        }
    }
}
