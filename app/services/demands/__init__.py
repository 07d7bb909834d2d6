"""Enterprise demands: their life cycle, colleges' responses, and derived occupations."""
