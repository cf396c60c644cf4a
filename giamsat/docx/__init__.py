"""Word adapter: Decree 30/2020 layout, stamping, reading .docx safely, table streaming."""
