//! The system under test as the workloads see it: its servers (a conversation's two
//! members always sit on different ones, so every delivery crosses Redis) and the seats
//! clients take in conversations.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use futures_util::{StreamExt, stream};

use crate::pintalk::{Pintalk, Ticket};
use crate::socket::{Join, Socket};
use crate::system::System;

/// Sockets (or tickets) being opened at any moment while a workload sets up.
pub const OPEN_CONCURRENCY: usize = 64;

#[derive(Args, Clone, Debug)]
pub struct TargetArgs {
    #[arg(long, value_enum)]
    pub system: System,
    /// A server's base URL, `ws://IP:PORT`; give two (members of a conversation are split
    /// between them).
    #[arg(long = "server", required = true)]
    pub servers: Vec<String>,
    /// PinTalk's account service, `http://IP:PORT`.
    #[arg(long)]
    pub api: Option<String>,
    /// Where PinTalk's account service writes mails (its data_dir/mail, without SMTP).
    #[arg(long)]
    pub mail_dir: Option<PathBuf>,
    /// The page origin the sockets claim (PinTalk's site allows it).
    #[arg(long, default_value = "http://load.example")]
    pub origin: String,
}

/// A place in a conversation: the room, and for PinTalk the visitor who holds it.
#[derive(Clone, Debug)]
pub struct Seat {
    pub room: String,
    pub ticket: Option<Ticket>,
}

pub struct Target {
    pub args: TargetArgs,
    pub pintalk: Option<Pintalk>,
}

impl Target {
    /// For PinTalk, a new owner and site to put visitors on.
    pub async fn prepare(args: TargetArgs) -> Result<Target> {
        let pintalk = match args.system {
            System::Pintalk => {
                let api = args.api.as_deref().context("PinTalk needs --api")?;
                let mail = args
                    .mail_dir
                    .as_deref()
                    .context("PinTalk needs --mail-dir")?;
                Some(Pintalk::owner_with_site(api, mail, &args.origin).await?)
            }
            _ => None,
        };
        Ok(Target { args, pintalk })
    }

    /// `n` conversations: new visitors on PinTalk, fresh room names on a peer.
    pub async fn seats(&self, n: usize) -> Result<Vec<Seat>> {
        match &self.pintalk {
            Some(pintalk) => Ok(pintalk
                .new_visitors(n)
                .await?
                .into_iter()
                .map(|ticket| Seat {
                    room: ticket.room.clone(),
                    ticket: Some(ticket),
                })
                .collect()),
            None => {
                let run = std::process::id();
                Ok((0..n)
                    .map(|i| Seat {
                        room: format!("r{run}-{i}"),
                        ticket: None,
                    })
                    .collect())
            }
        }
    }

    /// The same conversations' seats for their second member: on PinTalk the same visitor
    /// with a fresh ticket, as a second tab gets one (a ticket opens one socket).
    pub async fn again(&self, seats: &[Seat]) -> Result<Vec<Seat>> {
        let Some(pintalk) = &self.pintalk else {
            return Ok(seats.to_vec());
        };
        stream::iter(seats)
            .map(|seat| async move {
                let ticket = pintalk.session(seat.ticket.as_ref()).await?;
                Ok(Seat {
                    room: seat.room.clone(),
                    ticket: Some(ticket),
                })
            })
            .buffered(OPEN_CONCURRENCY)
            .collect::<Vec<Result<Seat>>>()
            .await
            .into_iter()
            .collect()
    }

    /// A socket on server `server % servers` in `seat`'s conversation; `n` spreads the
    /// source addresses.
    pub async fn open(
        &self,
        server: usize,
        n: usize,
        seat: &Seat,
        resume_from: Option<u64>,
    ) -> Result<Socket> {
        let servers = &self.args.servers;
        let url = self.args.system.ws_url(&servers[server % servers.len()]);
        let join = match &seat.ticket {
            Some(ticket) => Join::Pintalk {
                token: &ticket.token,
                room: &seat.room,
                resume_from,
            },
            None => Join::Peer { room: &seat.room },
        };
        Socket::open(self.args.system, &url, &self.args.origin, n, join).await
    }

    /// A socket on `server` for every seat, in the seats' order; fails if any fails.
    pub async fn open_all(&self, seats: &[Seat], server: usize) -> Result<Vec<Socket>> {
        stream::iter(seats.iter().enumerate())
            .map(|(n, seat)| self.open(server, n, seat, None))
            .buffered(OPEN_CONCURRENCY)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect()
    }
}
