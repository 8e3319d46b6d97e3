-- triggers.notify_command_inserted: the queue's doorbell. Once per INSERT
-- statement (not per row: each NOTIFY takes a global lock at commit, and a
-- per-row NOTIFY cut insert throughput about threefold here), with an empty
-- payload so PostgreSQL folds the rings of one transaction into one.
-- Workers LISTEN on nezuko_commands and claim whatever is due: the rows are
-- the mail, the NOTIFY only says "look".
create function triggers.notify_command_inserted() returns trigger
language plpgsql as $$
begin
    perform pg_notify('nezuko_commands', '');
    return null;
end
$$;

create trigger notify_command_inserted
    after insert on nezuko.admin_commands
    for each statement execute function triggers.notify_command_inserted();
