"""From a client conversation (or its spreadsheets) to a valid profile: what `ctrlmap init` does.

`starter` turns answers into a profile, `interview` asks for them, `sheets` reads the staff and
vendor lists, `profile_text` writes the commented YAML and checks it with the real loader.
"""
