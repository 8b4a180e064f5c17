//! The diesel schema, written to match both migration folders (`migrations/sqlite` and
//! `migrations/mysql`); only types both backends share are used.

diesel::table! {
    owners (id) {
        id -> Text,
        email -> Text,
        password_hash -> Text,
        name -> Text,
        company -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        email_verified_at -> Nullable<BigInt>,
        created_at -> BigInt,
        updated_at -> BigInt,
        language -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        owner_id -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        session_id -> Text,
        created_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    one_time_tokens (token_hash) {
        token_hash -> Text,
        owner_id -> Text,
        purpose -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
        new_email -> Nullable<Text>,
    }
}

diesel::table! {
    sites (id) {
        id -> Text,
        owner_id -> Text,
        name -> Text,
        site_key -> Text,
        allowed_origins -> Text,
        title -> Text,
        greeting -> Text,
        accent_color -> Text,
        position -> Text,
        language -> Text,
        away_message -> Text,
        show_owner_status -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
        business_hours -> Nullable<Text>,
        email_field -> Text,
        reply_time -> Text,
        workspace_id -> Text,
    }
}

diesel::table! {
    visitors (id) {
        id -> Text,
        site_id -> Text,
        secret_hash -> Text,
        name -> Nullable<Text>,
        email -> Nullable<Text>,
        blocked_at -> Nullable<BigInt>,
        created_at -> BigInt,
        last_seen_at -> BigInt,
        page_url -> Nullable<Text>,
    }
}

diesel::table! {
    rooms (id) {
        id -> Text,
        site_id -> Text,
        visitor_id -> Text,
        status -> Text,
        last_seq -> BigInt,
        created_at -> BigInt,
        updated_at -> BigInt,
        closed_at -> Nullable<BigInt>,
        assignee -> Nullable<Text>,
    }
}

diesel::table! {
    messages (id) {
        id -> Text,
        room_id -> Text,
        seq -> BigInt,
        cid -> Text,
        sender_kind -> Text,
        sender_id -> Text,
        body -> Text,
        created_at -> BigInt,
        note -> Bool,
    }
}

diesel::table! {
    read_cursors (room_id, reader_kind, reader_id) {
        room_id -> Text,
        reader_kind -> Text,
        reader_id -> Text,
        seq -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    notification_settings (owner_id) {
        owner_id -> Text,
        email -> Text,
        updated_at -> BigInt,
    }
}

diesel::table! {
    notifications_due (room_id, recipient) {
        room_id -> Text,
        recipient -> Text,
        owner_id -> Text,
        due_at -> BigInt,
        notified_seq -> BigInt,
        claimed_by -> Nullable<Text>,
        claimed_until -> BigInt,
        created_at -> BigInt,
        latest_seq -> BigInt,
    }
}

diesel::table! {
    room_terms (site_id, term, room_id) {
        site_id -> Text,
        term -> Text,
        room_id -> Text,
    }
}

diesel::table! {
    visitor_terms (site_id, term, visitor_id) {
        site_id -> Text,
        term -> Text,
        visitor_id -> Text,
    }
}

diesel::table! {
    search_backfill (source) {
        source -> Text,
        after_id -> Text,
        finished_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        site_id -> Text,
        url -> Text,
        events -> Text,
        secret -> Text,
        enabled -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event_id -> Text,
        event -> Text,
        payload -> Text,
        status -> Text,
        attempts -> BigInt,
        next_at -> BigInt,
        give_up_at -> BigInt,
        claimed_by -> Nullable<Text>,
        claimed_until -> BigInt,
        last_attempt_at -> Nullable<BigInt>,
        last_status -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        created_at -> BigInt,
        delivered_at -> Nullable<BigInt>,
    }
}

diesel::joinable!(sessions -> owners (owner_id));
diesel::table! {
    push_subscriptions (id) {
        id -> Text,
        owner_id -> Text,
        endpoint -> Text,
        p256dh -> Text,
        auth -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    site_bans (id) {
        id -> Text,
        site_id -> Text,
        network -> Text,
        first_key -> Text,
        last_key -> Text,
        note -> Nullable<Text>,
        expires_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    site_limits (site_id) {
        site_id -> Text,
        sessions_per_ip -> Nullable<BigInt>,
        conversations_per_ip -> Nullable<BigInt>,
        messages_per_minute -> Nullable<BigInt>,
        updated_at -> BigInt,
    }
}

diesel::table! {
    site_retention (site_id) {
        site_id -> Text,
        days -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        owner_id -> Text,
        name -> Text,
        scope -> Text,
        token_hash -> Text,
        created_at -> BigInt,
        last_used_at -> Nullable<BigInt>,
        workspace_id -> Text,
    }
}

diesel::table! {
    canned_replies (id) {
        id -> Text,
        owner_id -> Text,
        shortcut -> Text,
        title -> Nullable<Text>,
        body -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        workspace_id -> Text,
    }
}

diesel::table! {
    workspaces (id) {
        id -> Text,
        name -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    members (workspace_id, owner_id) {
        workspace_id -> Text,
        owner_id -> Text,
        role -> Text,
        all_sites -> Bool,
        created_at -> BigInt,
    }
}

diesel::table! {
    member_sites (workspace_id, owner_id, site_id) {
        workspace_id -> Text,
        owner_id -> Text,
        site_id -> Text,
    }
}

diesel::table! {
    invitations (id) {
        id -> Text,
        workspace_id -> Text,
        email -> Text,
        role -> Text,
        token_hash -> Text,
        invited_by -> Nullable<Text>,
        created_at -> BigInt,
        expires_at -> BigInt,
        accepted_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    room_labels (room_id, label) {
        room_id -> Text,
        site_id -> Text,
        label -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    room_ratings (room_id) {
        room_id -> Text,
        site_id -> Text,
        score -> Integer,
        comment -> Nullable<Text>,
        assignee -> Nullable<Text>,
        rated_at -> BigInt,
    }
}

diesel::table! {
    visitor_contexts (visitor_id) {
        visitor_id -> Text,
        page_url -> Text,
        page_title -> Nullable<Text>,
        referrer -> Nullable<Text>,
        language -> Nullable<Text>,
        time_zone -> Nullable<Text>,
        screen_width -> Nullable<Integer>,
        screen_height -> Nullable<Integer>,
        browser -> Nullable<Text>,
        browser_version -> Nullable<Text>,
        os -> Nullable<Text>,
        device -> Nullable<Text>,
        visits -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    leases (name) {
        name -> Text,
        holder -> Text,
        held_until -> BigInt,
    }
}

diesel::joinable!(site_retention -> sites (site_id));
diesel::joinable!(webhooks -> sites (site_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(site_bans -> sites (site_id));
diesel::joinable!(site_limits -> sites (site_id));
diesel::joinable!(notification_settings -> owners (owner_id));
diesel::joinable!(push_subscriptions -> owners (owner_id));
diesel::joinable!(notifications_due -> rooms (room_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(one_time_tokens -> owners (owner_id));
diesel::joinable!(sites -> owners (owner_id));
diesel::joinable!(visitors -> sites (site_id));
diesel::joinable!(rooms -> sites (site_id));
diesel::joinable!(rooms -> visitors (visitor_id));
diesel::joinable!(messages -> rooms (room_id));
diesel::joinable!(read_cursors -> rooms (room_id));
diesel::joinable!(room_terms -> rooms (room_id));
diesel::joinable!(visitor_terms -> visitors (visitor_id));
diesel::joinable!(api_tokens -> owners (owner_id));
diesel::joinable!(canned_replies -> owners (owner_id));
diesel::joinable!(room_labels -> rooms (room_id));
diesel::joinable!(room_ratings -> rooms (room_id));
diesel::joinable!(visitor_contexts -> visitors (visitor_id));
diesel::joinable!(members -> workspaces (workspace_id));
diesel::joinable!(members -> owners (owner_id));
diesel::joinable!(invitations -> workspaces (workspace_id));
diesel::joinable!(member_sites -> sites (site_id));

diesel::allow_tables_to_appear_in_same_query!(
    owners,
    sessions,
    refresh_tokens,
    one_time_tokens,
    sites,
    visitors,
    rooms,
    messages,
    read_cursors,
    notification_settings,
    notifications_due,
    push_subscriptions,
    room_terms,
    visitor_terms,
    search_backfill,
    webhooks,
    webhook_deliveries,
    site_bans,
    site_limits,
    api_tokens,
    canned_replies,
    room_labels,
    room_ratings,
    visitor_contexts,
    site_retention,
    leases,
    workspaces,
    members,
    member_sites,
    invitations,
);

diesel::table! {
    site_identities (site_id) {
        site_id -> Text,
        secret -> Text,
        verification_required -> Bool,
        anonymous_allowed -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    verified_visitors (visitor_id) {
        visitor_id -> Text,
        site_id -> Text,
        user_id -> Text,
        verified_at -> BigInt,
    }
}
