"""The Textual TUI: a thin layer over the questionnaire state and the Advisor."""
