-- api.enforced_channel: a channel members must join, as the admin API shows it.
create type api.enforced_channel as (
    channel_id bigint,
    title text,
    username text,
    invite_link text,
    subscriber_count integer,
    bot_is_admin boolean,
    health nezuko.health,
    health_reason text,
    group_ids bigint[],
    last_synced_at timestamptz,
    created_at timestamptz
);
comment on type api.enforced_channel is 'An enforced channel and the ids of the groups that enforce it.
@nullable title, username, invite_link, subscriber_count, bot_is_admin, health_reason, last_synced_at';
