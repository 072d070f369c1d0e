import sys

from moderate.cli import main

sys.exit(main())
