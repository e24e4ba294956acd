-- Notices in the library's brand (issue #6 item 6): beside the plain text every mail may carry an
-- HTML part (the library's colours, logo, address and portal link). NULL = text only, as before;
-- old code that does not know the column keeps working.
ALTER TABLE notice ADD COLUMN body_html text;
