      * SYNCHRONIZED binary items: slack bytes before each one so that
      * it starts on its own boundary (halfword, fullword) in the record.
       01  SYNC-REC.
           05  SY-FLAG                 PIC X.
           05  SY-HALF                 PIC S9(4) COMP SYNC.
           05  SY-CODE                 PIC X(3).
           05  SY-FULL                 PIC S9(9) COMP SYNC.
           05  SY-MARK                 PIC X.
           05  SY-UNSIGNED             PIC 9(4) BINARY SYNCHRONIZED.
           05  SY-TAIL                 PIC X(2).
