// placeholder, replaced by the role implementation
