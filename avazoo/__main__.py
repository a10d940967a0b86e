import sys

from avazoo.cli import main

sys.exit(main())
