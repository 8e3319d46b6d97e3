-- What nezuko_bridge (the role `serve` runs as, 024) needs of the tables
-- added beside 024 in the same round: the effect outbox it claims and
-- reports (015), and the registries the bot's rules and the protected_groups
-- CHECK read (018 texts, 019 group settings). SSE tickets (017) and login
-- failures (022) are only reached through SECURITY DEFINER functions.
grant select, insert, update, delete on nezuko.bot_effects to nezuko_bridge;
grant select on nezuko.bot_texts, nezuko.group_settings to nezuko_bridge;
