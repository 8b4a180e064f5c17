// The team, on the account page: one card per workspace the signed-in account belongs to.
// An owner or admin invites by email, changes a member's role, removes a member and
// revokes a pending invitation; an agent sees the team and may leave it. What each role
// may do is the server's to decide (a refused action says why); this page only offers
// what the caller's role allows.

import { t } from '../i18n.js';
import { api } from '../api.js';
import { h, icon, mount } from '../dom.js';
import { busy, confirmDialog, formError } from '../ui.js';
import { roleName } from './auth.js';

/** The roles an invitation or a change may give (ownership moves only by a transfer). */
const ROLES = ['agent', 'admin'];

function roleSelect(name, value) {
  return h('select', { class: 'input', name, 'aria-label': t('team.role') },
    ...ROLES.map((role) => h('option', { value: role, text: roleName(role), selected: role === value })));
}

/** One workspace's card: its members, and for a manager the invitations and the form. */
function workspaceCard(workspace, me, onLeft) {
  const manages = workspace.role === 'owner' || workspace.role === 'admin';
  const base = `/workspaces/${workspace.id}`;
  const members = h('ul', { class: 'webhook-list', dataset: { role: 'member-list' } });
  const pending = h('ul', { class: 'webhook-list', dataset: { role: 'invitation-list' } });
  const error = formError();

  function memberRow(member) {
    const self = member.id === me.id;
    const controls = [];
    if (member.role === 'owner') {
      controls.push(h('span', { class: 'badge', dataset: { memberRole: 'owner' }, text: roleName('owner') }));
    } else if (manages) {
      const select = roleSelect('member_role', member.role);
      select.addEventListener('change', () => busy(select, async () => {
        error.clear();
        try {
          await api('PATCH', `${base}/members/${member.id}`, { body: { role: select.value, sites: member.sites } });
          member.role = select.value;
        } catch (err) {
          select.value = member.role;
          error.show(err.message);
        }
      }));
      controls.push(select);
    } else {
      controls.push(h('span', { class: 'badge', dataset: { memberRole: member.role }, text: roleName(member.role) }));
    }
    if (member.role !== 'owner' && (manages || self)) {
      const label = self ? t('team.leave') : t('team.remove');
      const remove = h('button', { class: 'btn btn-ghost btn-sm danger', type: 'button', dataset: { action: self ? 'leave' : 'remove' }, 'aria-label': `${label}: ${member.name}` }, icon('trash', 14));
      remove.addEventListener('click', async () => {
        const ok = await confirmDialog({
          title: label,
          message: self ? t('team.leaveText', { workspace: workspace.name }) : t('team.removeText', { name: member.name }),
          confirmLabel: label,
          danger: true,
        });
        if (!ok) return;
        await busy(remove, async () => {
          await api('DELETE', `${base}/members/${member.id}`);
          if (self) onLeft();
          else item.remove();
        });
      });
      controls.push(remove);
    }
    const item = h('li', { class: 'webhook-item', dataset: { member: member.id } },
      h('div', { class: 'webhook-head' },
        h('strong', { text: member.name }),
        h('span', { class: 'muted small', text: member.email }),
        ...controls));
    return item;
  }

  function invitationRow(invitation) {
    const revoke = h('button', { class: 'btn btn-ghost btn-sm danger', type: 'button', dataset: { action: 'revoke-invitation' }, 'aria-label': `${t('team.revoke')}: ${invitation.email}` }, icon('trash', 14));
    const item = h('li', { class: 'webhook-item', dataset: { invitation: invitation.id } },
      h('div', { class: 'webhook-head' },
        h('span', { text: invitation.email }),
        h('span', { class: 'badge', text: roleName(invitation.role) }),
        h('span', { class: 'muted small', text: t('team.pending') }),
        revoke));
    revoke.addEventListener('click', () => busy(revoke, async () => {
      await api('DELETE', `${base}/invitations/${invitation.id}`);
      item.remove();
    }));
    return item;
  }

  const card = h('section', { class: 'card section', dataset: { section: 'team', workspace: workspace.id } },
    h('h2', { text: workspace.name }),
    h('p', { class: 'muted small', text: t('team.yourRole', { role: roleName(workspace.role) }) }),
    members, error);

  if (manages) {
    const email = h('input', { class: 'input', name: 'invite_email', type: 'email', required: true, maxlength: '254', 'aria-label': t('team.email'), placeholder: 'agent@example.com' });
    const role = roleSelect('invite_role', 'agent');
    const send = h('button', { class: 'btn btn-primary btn-sm', type: 'submit' }, icon('plus', 14), h('span', { text: t('team.invite') }));
    const form = h('form', { class: 'webhook-add', dataset: { role: 'invite' } },
      h('label', { class: 'field' }, h('span', { text: t('team.email') }), email),
      h('label', { class: 'field' }, h('span', { text: t('team.role') }), role),
      send);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      busy(send, async () => {
        error.clear();
        try {
          const made = await api('POST', `${base}/invitations`, { body: { email: email.value.trim(), role: role.value } });
          pending.prepend(invitationRow(made));
          email.value = '';
        } catch (err) { error.show(err.message); }
      });
    });
    card.append(h('h3', { text: t('team.invitations') }), pending, form);
  }

  (async () => {
    const list = await api('GET', `${base}/members`);
    members.replaceChildren(...list.map(memberRow));
    if (manages) {
      const invitations = await api('GET', `${base}/invitations`);
      pending.replaceChildren(...invitations.map(invitationRow));
    }
  })().catch((err) => mount(members, h('li', { class: 'form-error', role: 'alert', text: err.message })));
  return card;
}

/** Every workspace of the signed-in account, as cards. */
export function teamSection(app) {
  const el = h('div', { dataset: { role: 'team' } },
    h('h2', { class: 'team-title', text: t('team.title') }));
  async function load() {
    const workspaces = await api('GET', '/workspaces');
    el.replaceChildren(el.firstChild, ...workspaces.map((w) => workspaceCard(w, app.me, () => {
      app.loadSites();
      load();
    })));
  }
  load().catch((err) => el.append(h('p', { class: 'form-error', role: 'alert', text: err.message })));
  return el;
}
