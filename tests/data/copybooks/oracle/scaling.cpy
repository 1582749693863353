      * Scaling position P: digits the picture assumes but never stores.
      * (Packed P items are left out: GnuCOBOL 3.1 writes them wrong.)
       01  SCALE-REC.
           05  SC-ID                   PIC X(4).
           05  SC-HUNDREDS             PIC S9(3)PP.
           05  SC-THOUSANDTHS          PIC SVPP9(3).
           05  SC-BINARY-HUNDREDS      PIC S9(4)PP COMP.
