//! What each role may do: the one table every permission is decided by. Handlers name
//! the [`Action`] they perform; [`crate::access`] finds the caller's role in the
//! workspace concerned and asks [`allows`]. Tested as a matrix (every action × every
//! role) here, and endpoint by endpoint in `tests/api/members.rs`.

use pintalk_core::domain::Role;

/// Something a member does, as the policy knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// List and read conversations, their history, notes, labels and ratings.
    ReadConversations,
    /// Post, note, close, reopen, assign, label, block a visitor, mail a transcript.
    AnswerConversations,
    /// Use the workspace's canned replies.
    UseCannedReplies,
    /// Write, change and delete canned replies.
    ManageCannedReplies,
    /// Create, change and delete sites and their settings (allowed origins, widget,
    /// identity, retention, limits, bans, webhooks), and erase or export a visitor's data.
    ManageSites,
    /// Invite, change and remove members (never the owner).
    ManageMembers,
    /// Create and revoke the workspace's API tokens.
    ManageApiTokens,
    /// Rename the workspace.
    RenameWorkspace,
    /// Hand the workspace to another member, or delete it.
    OwnWorkspace,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::ReadConversations,
        Action::AnswerConversations,
        Action::UseCannedReplies,
        Action::ManageCannedReplies,
        Action::ManageSites,
        Action::ManageMembers,
        Action::ManageApiTokens,
        Action::RenameWorkspace,
        Action::OwnWorkspace,
    ];
}

/// Whether a member of role `role` may do `action` (on the sites they were granted).
pub fn allows(role: Role, action: Action) -> bool {
    use Action as A;
    match role {
        Role::Owner => true,
        Role::Admin => action != A::OwnWorkspace,
        Role::Agent => matches!(
            action,
            A::ReadConversations | A::AnswerConversations | A::UseCannedReplies
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table, written out: a change to the policy changes this test.
    #[test]
    fn every_action_for_every_role() {
        let expected: [(Action, [bool; 3]); 9] = [
            //                            owner  admin  agent
            (Action::ReadConversations, [true, true, true]),
            (Action::AnswerConversations, [true, true, true]),
            (Action::UseCannedReplies, [true, true, true]),
            (Action::ManageCannedReplies, [true, true, false]),
            (Action::ManageSites, [true, true, false]),
            (Action::ManageMembers, [true, true, false]),
            (Action::ManageApiTokens, [true, true, false]),
            (Action::RenameWorkspace, [true, true, false]),
            (Action::OwnWorkspace, [true, false, false]),
        ];
        assert_eq!(expected.len(), Action::ALL.len());
        for (action, [owner, admin, agent]) in expected {
            assert_eq!(allows(Role::Owner, action), owner, "owner {action:?}");
            assert_eq!(allows(Role::Admin, action), admin, "admin {action:?}");
            assert_eq!(allows(Role::Agent, action), agent, "agent {action:?}");
        }
    }
}
