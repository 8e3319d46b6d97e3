-- What the code packages (functions/, triggers/) last installed. tern keeps
-- no record of a code package; this table lets `nezuko migrate` skip an
-- install that would change nothing and lets /readyz see that the packages
-- are there at all. Each package's install.sql writes its own row, in the
-- same transaction as the install.
create table nezuko.code_packages (
    name         text primary key,
    sha256       text not null,
    installed_at timestamptz not null default now()
);
comment on table nezuko.code_packages is 'Last install of each SQL code package (functions, triggers): a SHA-256 of its evaluated SQL. Written by the package''s own install.sql.';
